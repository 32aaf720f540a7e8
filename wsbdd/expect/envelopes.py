"""The matcher every protocol's messages share: a kind test, then conditions on the message's
envelope (a Socket.IO event, a STOMP frame, a GraphQL result), with one way to say what
differed and to rank the near misses a failure shows."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from hamcrest.core.description import Description

from wsbdd.match.messages import MessageMatcher
from wsbdd.model.message import Message

__all__ = ["EnvelopeMatcher", "EnvelopeCondition"]


class EnvelopeCondition(Protocol):
    """One condition on an envelope (``$.text is "hi"``): a Socket.IO event's, whose ``$``
    is the first argument, or a plain one on the whole value."""

    def test(self, value: Any) -> bool: ...
    def describe(self) -> str: ...
    def mismatch(self, value: Any) -> str: ...


class EnvelopeMatcher(MessageMatcher):
    """A message of one kind (its :meth:`_envelope` is not None), meeting every condition on
    that envelope: Socket.IO events and acks, STOMP frames, GraphQL results.  A subclass
    says what its envelope is and, for a message that is not one, what it was instead
    (:meth:`_not_it`); the matching, the words of a mismatch and the ranking of near
    misses are shared."""

    def __init__(self, conditions: Sequence[EnvelopeCondition]) -> None:
        self.conditions = tuple(conditions)

    def _envelope(self, message: Message) -> dict[str, Any] | None:
        raise NotImplementedError

    def _not_it(self, message: Message) -> str:
        raise NotImplementedError

    def matches(self, message: Message, mismatch_description: Description | None = None) -> bool:
        value = self._envelope(message)
        if value is None:
            return self._report(False, message, mismatch_description)
        for condition in self.conditions:
            if not condition.test(value):
                return self._report(False, message, mismatch_description)
        return True

    def where_words(self) -> str:
        """`` where $.ok is true`` (with its leading space), or nothing without conditions."""
        if not self.conditions:
            return ""
        return " where " + " and ".join(c.describe() for c in self.conditions)

    def mismatch(self, message: Message) -> str:
        value = self._envelope(message)
        if value is None:
            return self._not_it(message)
        failing = [c.mismatch(value) for c in self.conditions if not c.test(value)]
        if not failing:
            return "matched"
        if len(failing) > 2:
            return f"{failing[0]}, {failing[1]} and {len(failing) - 2} more"
        return " and ".join(failing)

    def score(self, message: Message) -> float:
        value = self._envelope(message)
        if value is None:
            return 0.0
        if not self.conditions:
            return 1.0
        # Same event, some arguments alike: ranked above every other event.
        return 0.1 + 0.9 * sum(1 for c in self.conditions if c.test(value)) / len(self.conditions)
