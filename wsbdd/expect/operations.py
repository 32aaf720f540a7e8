"""Waits and verdicts for GraphQL operations: results, errors, completion, silence.

Pure, like the rest of :mod:`wsbdd.expect`: an expectation looks at the values the GraphQL
codecs decoded (``{"type": "next", "operation": "counter", "id": "1", "payload": {"data":
…}}``, ``{"type": "error", …, "payload": [{"message": …}]}``, ``{"type": "complete", …}``)
and never at a frame.

In an operation step ``$`` is the RESULT: a ``next`` message's payload (``$.data.count``,
``$.errors[0].message`` for an execution error), and for an ``error`` message the errors
as a result would carry them (``$.errors[0].message``).  So the writer reads one shape,
whatever the server chose to send.

Failure sentences name the operation, what was expected and what came: the results seen
so far, "it completed after 2 results", "it failed with the error …", never a traceback.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from wsbdd.expect import Expectation, Outcome, format_duration
from wsbdd.expect.envelopes import EnvelopeMatcher
from wsbdd.match.conditions import Condition, parse_condition, split_conditions
from wsbdd.model.errors import FeatureMistake
from wsbdd.model.failures import Failure
from wsbdd.model.inbox import Inbox
from wsbdd.model.message import Message, render_value, wall_clock
from wsbdd.model.variables import Variables

__all__ = [
    "result_of",
    "result_conditions",
    "error_messages",
    "result_label",
    "ResultMatcher",
    "Results",
    "OneResult",
    "LastResult",
    "Fails",
    "Completes",
    "NoResult",
    "results_word",
]

_NO_VARIABLES = Variables()
MAX_SHOWN = 5


def _value(message: Message) -> dict[str, Any]:
    value = message.value
    return value if isinstance(value, dict) else {}


def result_of(value: Any) -> Any:
    """What ``$`` is in an operation step: a ``next`` message's payload, an ``error``
    message's errors as a result carries them.

    >>> result_of({"type": "next", "payload": {"data": {"count": 2}}})
    {'data': {'count': 2}}
    >>> result_of({"type": "error", "payload": [{"message": "no"}]})
    {'errors': [{'message': 'no'}]}
    """
    if not isinstance(value, dict):
        return value
    payload = value.get("payload")
    if value.get("type") == "error":
        errors = payload if isinstance(payload, list) else [payload]
        return {"errors": errors}
    return payload


def error_messages(value: Any) -> list[str]:
    """The error messages a result or an ``error`` message carries (none: an empty list)."""
    result = result_of(value)
    errors = result.get("errors") if isinstance(result, dict) else None
    if not isinstance(errors, list):
        return []
    return [
        str(e.get("message")) if isinstance(e, dict) and "message" in e else render_value(e, 120)
        for e in errors
    ]


def result_label(value: Any) -> str:
    """A result as a sentence shows it: ``{"data": {"count": 2}}``, ``the error "…"``."""
    if isinstance(value, dict) and value.get("type") == "complete":
        return "complete"
    if isinstance(value, dict) and value.get("type") == "error":
        said = error_messages(value)
        return f"the error {render_value(said[0] if said else None, 120)}"
    return render_value(result_of(value), 120)


def results_word(n: int) -> str:
    return "1 result" if n == 1 else f"{n} results"


def result_conditions(text: str | None, variables: Variables | None = None) -> list[Condition]:
    """``$.data.count is 2 and $.data.ok is true`` → conditions on a result (``$`` the
    result: ``$.data…``, ``$.errors[0].message``)."""
    if not text:
        return []
    variables = _NO_VARIABLES if variables is None else variables
    conditions = []
    for part in split_conditions(text):
        source = part.strip()
        if not source.startswith("$") or source.startswith("${"):
            raise FeatureMistake(
                f'The condition "{source}" does not start with a path; in an operation step $ '
                'is the result: write e.g. $.data.count is 2, or $.errors[0].message contains "…".'
            )
        conditions.append(parse_condition(source, variables))
    return conditions


class ResultMatcher(EnvelopeMatcher):
    """A result (``next``, or with ``errors`` also an ``error`` message) of the operation
    with id ``op_id`` meeting every condition on the result."""

    def __init__(
        self,
        operation: str,
        op_id: str | None,
        conditions: Sequence[Condition] = (),
        *,
        errors: bool = False,
    ) -> None:
        super().__init__(conditions)
        self.operation = operation
        self.op_id = op_id
        self.errors = errors

    def ours(self, message: Message) -> bool:
        value = _value(message)
        return value.get("id") == self.op_id and value.get("type") in ("next", "error")

    def is_result(self, message: Message) -> bool:
        value = _value(message)
        if value.get("id") != self.op_id:
            return False
        return value.get("type") == "next" or (self.errors and value.get("type") == "error")

    def _envelope(self, message: Message) -> Any:
        return result_of(message.value) if self.is_result(message) else None

    def _not_it(self, message: Message) -> str:
        return "not a result of this operation"

    def describe(self) -> str:
        return f'result of "{self.operation}"{self.where_words()}'


def _line(message: Message, note: str = "") -> str:
    line = f"  #{message.seq} {wall_clock(message.at)} {result_label(message.value)}"
    return f"{line}   ({note})" if note else line


def _lines(messages: Sequence[Message], matcher: ResultMatcher | None = None) -> tuple[str, ...]:
    shown = list(messages)
    hidden = 0
    if len(shown) > MAX_SHOWN:
        if matcher is not None and matcher.conditions:
            ranked = sorted(shown, key=lambda m: (-matcher.score(m), m.seq))
            shown = sorted(ranked[:MAX_SHOWN], key=lambda m: m.seq)
        else:
            shown = shown[-MAX_SHOWN:]
        hidden = len(messages) - len(shown)
    notes = matcher is not None and bool(matcher.conditions)
    lines = [_line(m, matcher.mismatch(m) if notes and matcher else "") for m in shown]
    if hidden:
        lines.append(f"  … and {hidden} more not shown")
    return tuple(lines)


class _OperationWait(Expectation):
    """Shared by the operation waits: the operation's messages from inbox index ``start``
    on (results claimed or not, and its ``complete``, a protocol message claimed on
    arrival), seen once each."""

    def __init__(self, who: str, operation: str, op_id: str | None, timeout: float, start: int):
        super().__init__(who, timeout)
        self.operation = operation
        self.op_id = op_id
        self.first = start
        self.results: list[Message] = []
        """The operation's results (``next``) seen so far, oldest first."""
        self.error: Message | None = None
        self.completed: Message | None = None

    def start(self, inbox: Inbox, now: float) -> None:
        super().start(inbox, now)
        self.pos = self.first

    def feed(self, inbox: Inbox, now: float) -> Outcome | None:
        if self.pos >= len(inbox):
            return None
        for message in inbox.since(self.pos):
            self.pos = message.seq
            value = _value(message)
            if value.get("id") != self.op_id:
                continue
            kind = value.get("type")
            if kind == "next":
                self.results.append(message)
            elif kind == "error":
                self.error = message
            elif kind == "complete":
                self.completed = message
            else:
                continue
            outcome = self.seen(inbox, message)
            if outcome is not None:
                return outcome
        self.pos = len(inbox)
        return None

    def seen(self, inbox: Inbox, message: Message) -> Outcome | None:
        """One more message of the operation: an outcome once decided."""
        raise NotImplementedError

    def so_far(self) -> str:
        """What the operation has done, as the end of a sentence: ``it gave 2 results``,
        ``it completed after 2 results``, ``it failed with the error "…"``."""
        n = len(self.results)
        if self.error is not None:
            said = error_messages(self.error.value)
            error = render_value(said[0] if said else None, 120)
            after = f" after {results_word(n)}" if n else ""
            return f"it failed with the error {error}{after}"
        if self.completed is not None:
            return f"it completed after {results_word(n)}"
        if not n:
            return "it gave no result"
        return f"it gave {results_word(n)} and has not completed"

    def failed(self, expected: str, observed: str | None = None, **more: Any) -> Outcome:
        return Outcome(
            False,
            why=Failure(
                self.who,
                expected,
                observed or self.so_far(),
                more.get("candidates", _lines(self.results)),
            ),
        )

    def closed(self, inbox: Inbox, now: float, how: str) -> Outcome:
        found = self.feed(inbox, now)  # its last word may have come with the end
        if found is not None:
            return found
        return super().closed(inbox, now, how)


class Results(_OperationWait):
    """``"counter" gives 3 results, then completes``: exactly ``n`` results and then the
    ``complete``; claims the results.  (``then_complete`` False: at least ``n`` results.)"""

    def __init__(
        self,
        who: str,
        operation: str,
        op_id: str | None,
        n: int,
        timeout: float,
        start: int,
        *,
        then_complete: bool = True,
    ) -> None:
        super().__init__(who, operation, op_id, timeout, start)
        self.n = n
        self.then_complete = then_complete

    def expected(self) -> str:
        then = ", then complete" if self.then_complete else ""
        return (
            f'"{self.operation}" to give {results_word(self.n)}{then} '
            f"within {format_duration(self.timeout)}"
        )

    def feed(self, inbox: Inbox, now: float) -> Outcome | None:
        decided = super().feed(inbox, now)
        if decided is None and not self.then_complete and len(self.results) >= self.n:
            return self._met(inbox)  # "gives 0 results": nothing to wait for
        return decided

    def seen(self, inbox: Inbox, message: Message) -> Outcome | None:
        n = len(self.results)
        if self.error is not None:
            return self.failed(self.expected())
        if self.then_complete and n > self.n:
            return self.failed(self.expected(), f"it gave {results_word(n)}")
        if self.completed is not None:
            if n == self.n:
                return self._met(inbox)
            return self.failed(self.expected())
        if not self.then_complete and n >= self.n:
            return self._met(inbox)
        return None

    def _met(self, inbox: Inbox) -> Outcome:
        for message in self.results:
            if not inbox.is_consumed(message):
                inbox.consume(message)
        return Outcome(True, list(self.results))

    def expire(self, inbox: Inbox, now: float) -> Outcome:
        n = len(self.results)
        if n == self.n and self.then_complete:
            observed = f"it gave {results_word(n)} and has not completed"
        elif n:
            observed = f"it gave {results_word(n)} so far:"
        else:
            observed = "it gave no result in that time"
        return self.failed(self.expected(), observed)


class OneResult(_OperationWait):
    """``"room" gives a result where …``: the first unclaimed result meeting the
    conditions; claims it.  An error or the operation's end first: a failure saying so."""

    def __init__(self, who: str, matcher: ResultMatcher, timeout: float, start: int) -> None:
        super().__init__(who, matcher.operation, matcher.op_id, timeout, start)
        self.matcher = matcher

    def expected(self) -> str:
        return (
            f'"{self.operation}" to give a result{self.matcher.where_words()} '
            f"within {format_duration(self.timeout)}"
        )

    def seen(self, inbox: Inbox, message: Message) -> Outcome | None:
        if message is self.error or message is self.completed:
            candidates = _lines(self.results, self.matcher)
            observed = self.so_far() + (":" if candidates else "")
            return self.failed(self.expected(), observed, candidates=candidates)
        if not inbox.is_consumed(message) and self.matcher.matches(message):
            inbox.consume(message)
            return Outcome(True, [message])
        return None

    def expire(self, inbox: Inbox, now: float) -> Outcome:
        unread = [m for m in self.results if not inbox.is_consumed(m)]
        if not self.results:
            observed = "it gave no result in that time"
        elif not unread:
            observed = f"it gave {results_word(len(self.results))}, each claimed by an earlier step"
        else:
            none = "it did not match" if len(unread) == 1 else "none matched"
            observed = f"it gave {results_word(len(unread))} not claimed yet, {none}:"
        candidates = _lines(unread, self.matcher)
        return self.failed(self.expected(), observed, candidates=candidates)


class LastResult(_OperationWait):
    """The newest result received: at once when the operation has ended (completed or
    failed), else once no new result came for ``settle`` seconds (a subscription still
    streaming); waits for the first one within the timeout.  The verdict on it is
    :func:`last_result_verdict`."""

    def __init__(
        self,
        who: str,
        operation: str,
        op_id: str | None,
        timeout: float,
        start: int,
        settle: float = 0.1,
    ) -> None:
        super().__init__(who, operation, op_id, timeout, start)
        self.settle = settle
        self.newest: Message | None = None
        self.hard_deadline = 0.0

    def start(self, inbox: Inbox, now: float) -> None:
        super().start(inbox, now)
        self.hard_deadline = self.deadline

    def expected(self) -> str:
        return f'a result of "{self.operation}" within {format_duration(self.timeout)}'

    def feed(self, inbox: Inbox, now: float) -> Outcome | None:
        decided = super().feed(inbox, now)
        if decided is not None:
            return decided
        if self.completed is not None or self.error is not None:
            if self.newest is not None:
                return Outcome(True, [self.newest])
            return self.failed(self.expected())
        if self.newest is not None:
            # Still streaming: the newest counts once the stream pauses for ``settle``.
            self.deadline = min(self.hard_deadline, now + self.settle)
        return None

    def seen(self, inbox: Inbox, message: Message) -> Outcome | None:
        if message is not self.completed:
            self.newest = message
        return None

    def expire(self, inbox: Inbox, now: float) -> Outcome:
        if self.newest is not None:
            return Outcome(True, [self.newest])
        return self.failed(self.expected(), "it gave no result in that time")


def last_result_verdict(
    who: str, operation: str, message: Message, conditions: Sequence[Condition]
) -> Failure | None:
    """The last result meets every condition (None), or the failure saying which did not."""
    result = result_of(message.value)
    failing = [c.mismatch(result) for c in conditions if not c.test(result)]
    if not failing:
        return None
    where = " and ".join(c.describe() for c in conditions)
    return Failure(
        who,
        f'the last result of "{operation}" to be where {where}',
        f"it was {result_label(message.value)}: " + " and ".join(failing),
    )


class Fails(_OperationWait):
    """``"counter" fails with the error "…"``: an ``error`` message, or a result carrying
    ``errors``, whose message is ``text`` (``contains``: holds it); None: any error."""

    def __init__(
        self,
        who: str,
        operation: str,
        op_id: str | None,
        text: str | None,
        timeout: float,
        start: int,
        *,
        contains: bool = False,
    ) -> None:
        super().__init__(who, operation, op_id, timeout, start)
        self.text = text
        self.contains = contains
        self.errors_seen: list[str] = []

    def expected(self) -> str:
        if self.text is None:
            what = "with an error"
        elif self.contains:
            what = f"with an error containing {render_value(self.text)}"
        else:
            what = f"with the error {render_value(self.text)}"
        return f'"{self.operation}" to fail {what} within {format_duration(self.timeout)}'

    def _fits(self, said: str) -> bool:
        if self.text is None:
            return True
        return self.text in said if self.contains else said == self.text

    def seen(self, inbox: Inbox, message: Message) -> Outcome | None:
        said = error_messages(message.value)
        self.errors_seen.extend(said)
        if any(self._fits(s) for s in said):
            if not inbox.is_consumed(message):
                inbox.consume(message)
            return Outcome(True, [message])
        if message is self.error:
            return self.failed(self.expected(), self._other())
        if message is self.completed:
            return self.failed(self.expected(), self.so_far() + self._but_errors())
        return None

    def _other(self) -> str:
        said = ", ".join(render_value(s, 120) for s in self.errors_seen[-3:])
        which = "the error" if len(self.errors_seen) == 1 else "the errors"
        return f"it failed with {which} {said}"

    def _but_errors(self) -> str:
        if not self.errors_seen:
            return ""
        return f" (with {'the error' if len(self.errors_seen) == 1 else 'the errors'} " + (
            ", ".join(render_value(s, 120) for s in self.errors_seen[-3:]) + ")"
        )

    def so_far(self) -> str:
        if self.error is None and self.completed is None and self.results:
            return f"it gave {results_word(len(self.results))} and no error so far" + (
                self._but_errors()
            )
        return super().so_far()

    def expire(self, inbox: Inbox, now: float) -> Outcome:
        observed = self.so_far()
        if self.results:
            observed += ":"
        return self.failed(self.expected(), observed)


class Completes(_OperationWait):
    """``"counter" completes within 2 seconds``: the server's ``complete`` of it (its
    results are left for other steps)."""

    def expected(self) -> str:
        return f'"{self.operation}" to complete within {format_duration(self.timeout)}'

    def seen(self, inbox: Inbox, message: Message) -> Outcome | None:
        if message is self.completed:
            return Outcome(True, [message])
        if message is self.error:
            return self.failed(self.expected())
        return None

    def expire(self, inbox: Inbox, now: float) -> Outcome:
        n = len(self.results)
        observed = (
            f"it gave {results_word(n)} and has not completed"
            if n
            else ("it gave no result and has not completed")
        )
        return self.failed(self.expected(), observed + (":" if n else ""))


class NoResult(_OperationWait):
    """``"counter" gives no result within 300 ms``: no unclaimed result of it is there or
    comes within the window (an error counts as a result here: the writer expected silence)."""

    def expected(self) -> str:
        return f'"{self.operation}" to give no result within {format_duration(self.timeout)}'

    def seen(self, inbox: Inbox, message: Message) -> Outcome | None:
        if message is self.completed or inbox.is_consumed(message):
            return None
        label = result_label(message.value)
        return Outcome(
            False,
            [message],
            Failure(self.who, self.expected(), f"it gave {label}", (_line(message),)),
        )

    def expire(self, inbox: Inbox, now: float) -> Outcome:
        return Outcome(True)

    def closed(self, inbox: Inbox, now: float, how: str) -> Outcome:
        found = self.feed(inbox, now)
        if found is not None:
            return found
        started = self.deadline - self.timeout
        if now <= started:
            return Outcome(True)
        observed = (
            f"the connection {how} after {format_duration(now - started)}, so the rest of "
            "the time went unwatched"
        )
        return Outcome(False, why=Failure(self.who, self.expected(), observed))
