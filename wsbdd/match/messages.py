"""What an inbox waits for: a predicate over one received :class:`~wsbdd.model.message.Message`.

Every :class:`MessageMatcher` can say what it wants, completing the sentence
"Bob expected a message …" (``where $.type is "chat"``, ``like {…}``,
``with the text "hi"``), why one message did not match (``$.content was "Hi"``),
and how close it came (:meth:`~MessageMatcher.score`, 0 to 1) so a failure can
show the closest candidates first.  Matching never parses anything again: the
message parses its JSON once and conditions and templates are compiled up front.

They are PyHamcrest matchers too: ``assert_that(message, where('$.type is "chat"'))``.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import Any

from hamcrest.core.base_matcher import BaseMatcher
from hamcrest.core.description import Description

from wsbdd.model.message import NOT_JSON, Message

from .conditions import Condition, parse_conditions
from .template import compile_template
from .values import show

__all__ = ["MessageMatcher", "Where", "Like", "TextIs", "BytesAre", "AnyMessage", "where"]


class MessageMatcher(BaseMatcher[Message]):
    """Base class of everything an inbox can wait for."""

    def matches(self, message: Message, mismatch_description: Description | None = None) -> bool:
        """Whether ``message`` is one the scenario is waiting for."""
        raise NotImplementedError

    def describe(self) -> str:
        """The end of "Bob expected a message …", e.g. ``where $.type is "chat"``."""
        raise NotImplementedError

    def mismatch(self, message: Message) -> str:
        """Why this message did not match, short: ``$.content was "Hi"``."""
        raise NotImplementedError

    def score(self, message: Message) -> float:
        """How close the message came, from 0 (nothing alike) to 1 (a match)."""
        return 1.0 if self.matches(message) else 0.0

    def describe_to(self, description: Description) -> None:
        description.append_text("a message " + self.describe())

    def describe_mismatch(self, item: Message, mismatch_description: Description) -> None:
        mismatch_description.append_text(self.mismatch(item))

    def _report(self, ok: bool, message: Message, description: Description | None) -> bool:
        if not ok and description is not None:
            description.append_text(self.mismatch(message))
        return ok

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.describe()}>"


def _bare_scalar(message: Message) -> bool:
    """A text frame such as ``40``, ``true`` or ``null``: JSON, but not text, list or object."""
    if message.kind != "text":
        return False
    value = message.json
    return value is not NOT_JSON and not isinstance(value, str | list | dict)


class Where(MessageMatcher):
    """All conditions hold on the same message (``where $.a is 1 and $.b exists``).

    Frames like ``2``, ``40`` or ``41`` (Engine.IO / Socket.IO packets) are JSON
    numbers, but a writer comparing them with text means their text: a condition
    on the whole message (``$``) with a text matcher (``is "40"``, ``starts with "4"``,
    ``matches "4\\d"``) reads the frame's text; ``$ is 40`` or ``$ is greater than 3``
    still read the number.
    """

    def __init__(self, conditions: Sequence[Condition]) -> None:
        self.conditions = tuple(conditions)
        self._tests = tuple(condition.test for condition in self.conditions)
        self._reads_text = any(condition.reads_text for condition in self.conditions)

    def _values(self, message: Message) -> list[Any]:
        """What each condition reads from ``message`` (its value, or for some its text)."""
        value = message.value
        if not self._reads_text or not _bare_scalar(message):
            return [value] * len(self.conditions)
        return [message.raw if c.reads_text else value for c in self.conditions]

    def matches(self, message: Message, mismatch_description: Description | None = None) -> bool:
        if self._reads_text and _bare_scalar(message):
            for test, value in zip(self._tests, self._values(message), strict=True):
                if not test(value):
                    return self._report(False, message, mismatch_description)
            return True
        value = message.value
        for test in self._tests:
            if not test(value):
                return self._report(False, message, mismatch_description)
        return True

    def describe(self) -> str:
        if not self.conditions:
            return "of any kind"
        return "where " + " and ".join(condition.describe() for condition in self.conditions)

    def mismatch(self, message: Message) -> str:
        failing = [
            condition.mismatch(value)
            for condition, value in zip(self.conditions, self._values(message), strict=True)
            if not condition.test(value)
        ]
        if not failing:
            return "matched"
        if len(failing) > 2:
            return f"{failing[0]}, {failing[1]} and {len(failing) - 2} more"
        return " and ".join(failing)

    def score(self, message: Message) -> float:
        if not self.conditions:
            return 1.0
        values = self._values(message)
        passed = sum(1 for test, value in zip(self._tests, values, strict=True) if test(value))
        return passed / len(self._tests)


def where(*conditions: str) -> Where:
    """``where('$.type is "chat"', '$.content starts with "hi"')``: all must hold.

    Each text is read as the Gherkin step reads it (:func:`parse_conditions`), so
    ``where('$.type is "chat" and $.n is 3')`` is two conditions, as in a feature.
    """
    return Where([c for condition in conditions for c in parse_conditions(condition)])


class Like(MessageMatcher):
    """A Karate-style partial match of the message's JSON against a template.

    See :mod:`wsbdd.match.template` for the rules and markers.  A template that
    is not an object (text, number, list) is matched against the whole value.
    A message that is not JSON never matches.
    """

    def __init__(self, template: Any) -> None:
        self.template = template
        self._compiled = compile_template(template)

    def matches(self, message: Message, mismatch_description: Description | None = None) -> bool:
        if not message.is_json:
            return self._report(False, message, mismatch_description)
        ok = self._compiled.matches(message.json)
        return ok or self._report(False, message, mismatch_description)

    def describe(self) -> str:
        return f"like {show(self.template, 200)}"

    def mismatch(self, message: Message) -> str:
        if not message.is_json:
            return f"was not JSON: {message.preview(80)}"
        differences, _ = self._compiled.differences(message.json)
        if not differences:
            return "matched"
        if len(differences) == 1:
            return differences[0]
        others = len(differences) - 1
        return f"{differences[0]} (and {others} more difference{'s' if others > 1 else ''})"

    def score(self, message: Message) -> float:
        if not message.is_json:
            return 0.0
        return self._compiled.differences(message.json)[1]


def _similarity(a: str | bytes, b: str | bytes) -> float:
    # Long frames would make SequenceMatcher quadratic; the start says enough.
    return difflib.SequenceMatcher(None, a[:500], b[:500]).ratio()


class TextIs(MessageMatcher):
    """A text frame whose text is exactly ``text`` (JSON or not, compared as text)."""

    def __init__(self, text: str) -> None:
        self.text = text

    def matches(self, message: Message, mismatch_description: Description | None = None) -> bool:
        ok = message.kind == "text" and message.raw == self.text
        return ok or self._report(False, message, mismatch_description)

    def describe(self) -> str:
        return f"with the text {show(self.text, 200)}"

    def mismatch(self, message: Message) -> str:
        if message.kind != "text":
            return f"was a binary frame ({message.preview(80)})"
        return f"was {show(message.raw, 120)}"

    def score(self, message: Message) -> float:
        if message.kind != "text":
            return 0.0
        return _similarity(str(message.raw), self.text)


class BytesAre(MessageMatcher):
    """A binary frame whose payload is exactly ``data``."""

    def __init__(self, data: bytes) -> None:
        self.data = bytes(data)

    def matches(self, message: Message, mismatch_description: Description | None = None) -> bool:
        ok = message.kind == "binary" and bytes(message.raw) == self.data  # type: ignore[arg-type]
        return ok or self._report(False, message, mismatch_description)

    def describe(self) -> str:
        data = self.data
        more = "…" if len(data) > 32 else ""
        return f"with the {len(data)} bytes 0x{data[:32].hex()}{more}"

    def mismatch(self, message: Message) -> str:
        if message.kind != "binary":
            return f"was a text frame {show(message.raw, 80)}"
        return f"was {message.preview(80)}"

    def score(self, message: Message) -> float:
        if message.kind != "binary":
            return 0.0
        return _similarity(bytes(message.raw), self.data)  # type: ignore[arg-type]


class AnyMessage(MessageMatcher):
    """Any frame at all, text or binary."""

    def matches(self, message: Message, mismatch_description: Description | None = None) -> bool:
        return True

    def describe(self) -> str:
        return "of any kind"

    def mismatch(self, message: Message) -> str:
        return "matched"
