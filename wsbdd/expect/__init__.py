"""Waiting rules over an inbox: receives, receives nothing, counts, order, collect-until.

Each :class:`Expectation` is a small state machine fed with the inbox and the
current time; it never touches a socket or an event loop, so every rule and
every failure sentence is unit-tested on plain lists of messages.  The client
drives it: ``start`` once, ``feed`` whenever a frame arrives, ``expire`` at the
deadline, ``closed`` if the connection ends first.

Each expectation remembers how far it has scanned, so a wait costs one look per
new message, not one per message per wake-up.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

from wsbdd.model.errors import FeatureMistake
from wsbdd.model.failures import Failure, ignored_line, render
from wsbdd.model.inbox import Inbox
from wsbdd.model.message import Message, wall_clock

__all__ = [
    "Matcher",
    "Outcome",
    "Expectation",
    "Receive",
    "Quiet",
    "Count",
    "InOrder",
    "AnyOrder",
    "Until",
    "unclaimed",
    "format_duration",
    "describe_messages",
    "message_lines",
    "event_note",
    "ConnectionFacts",
    "connected",
    "disconnected",
    "rejected",
    "uses_subprotocol",
    "ponged",
]

MAX_SHOWN = 5


class Matcher(Protocol):
    """What an expectation needs from a message matcher (see :mod:`wsbdd.match`)."""

    def matches(self, message: Message) -> bool: ...
    def describe(self) -> str: ...
    def mismatch(self, message: Message) -> str: ...
    def score(self, message: Message) -> float: ...


Noise = Callable[[Message], bool]
Background = Callable[[Message], str | None]
CountOp = Literal["exactly", "at least", "at most"]


def format_duration(seconds: float) -> str:
    """``0.3`` → ``"300 ms"``, ``2`` → ``"2.0 s"``."""
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    return f"{seconds:.1f} s"


def _phrase(matcher: Matcher | None) -> str:
    text = matcher.describe() if matcher is not None else ""
    return f" {text}" if text else ""


_ORDINALS = ("first", "second", "third", "fourth", "fifth")
_ARGUMENT_PATH = re.compile(r"\$\.args\[(\d+)\](\S*)")


def _argument(match: re.Match[str]) -> str:
    n = int(match.group(1))
    which = _ORDINALS[n] if n < len(_ORDINALS) else f"#{n + 1}"
    rest = match.group(2)
    return f"its {which} argument's ${rest}" if rest else f"its {which} argument"


def event_note(note: str, message: Message) -> str:
    """A mismatch said of a decoded event in its own terms: ``$.args[0].text was "hello"``
    → ``its first argument's $.text was "hello"``, ``$.event was "typing"`` → ``its event
    was "typing"``; other notes, and notes on raw frames, unchanged."""
    if message.label is None:
        return note
    value = message.value
    if not (isinstance(value, dict) and value.get("type") == "event"):
        return note
    note = _ARGUMENT_PATH.sub(_argument, note)
    return note.replace("$.event ", "its event ")


def _line(message: Message, note: str = "") -> str:
    # A decoded message shows its codec's label (``chat {"text": "hello"}``), never the
    # frame that carried it (``42["chat",…]``): see DecodedMessage.preview.
    line = f"  #{message.seq} {wall_clock(message.at)} {message.preview()}"
    if note:
        line += f"   ({event_note(note, message)})"
    return line


def describe_messages(
    messages: Sequence[Message], matcher: Matcher | None = None, limit: int = MAX_SHOWN
) -> str:
    """One line per message (the closest to ``matcher`` first chosen), oldest first."""
    return "\n".join(message_lines(messages, matcher, limit))


def message_lines(
    messages: Sequence[Message], matcher: Matcher | None = None, limit: int = MAX_SHOWN
) -> tuple[str, ...]:
    """:func:`describe_messages`, one line each: a failure's candidates."""
    if not messages:
        return ()
    shown = list(messages)
    if len(shown) > limit:
        if matcher is not None:
            ranked = sorted(shown, key=lambda m: (-matcher.score(m), m.seq))
            shown = sorted(ranked[:limit], key=lambda m: m.seq)
        else:
            shown = shown[-limit:]
    lines = [_line(m, matcher.mismatch(m) if matcher is not None else "") for m in shown]
    hidden = len(messages) - len(shown)
    if hidden:
        lines.append(f"  … and {hidden} more not shown")
    return tuple(lines)


def _and(items: Sequence[object]) -> str:
    """``2``, ``2 and 3``, ``2, 3 and 4``."""
    texts = [str(item) for item in items]
    return texts[0] if len(texts) == 1 else ", ".join(texts[:-1]) + " and " + texts[-1]


def _plural(n: int, word: str = "message") -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


@dataclass
class Outcome:
    """How a wait ended: met (with the messages it claimed) or failed (with why, as data)."""

    met: bool
    messages: list[Message] = field(default_factory=list)
    why: Failure | None = None
    """The failure as data (who, expected, observed, candidates); None when met."""

    @property
    def failure(self) -> str:
        """The failure's sentence, as :func:`wsbdd.model.failures.render` writes it ("" when
        met)."""
        return render(self.why) if self.why is not None else ""


class Expectation:
    """A rule over one client's inbox with a deadline."""

    def __init__(self, who: str, timeout: float, noise: Noise | None = None) -> None:
        self.who = who
        self.timeout = timeout
        self.noise = noise
        self.deadline = 0.0
        self.pos = 0

    def start(self, inbox: Inbox, now: float) -> None:
        self.deadline = now + self.timeout
        self.pos = inbox.first_unconsumed

    def feed(self, inbox: Inbox, now: float) -> Outcome | None:
        """Look at messages not seen yet; return an outcome once decided."""
        raise NotImplementedError

    def expire(self, inbox: Inbox, now: float) -> Outcome:
        """The deadline passed with nothing decided."""
        raise NotImplementedError

    def closed(self, inbox: Inbox, now: float, how: str) -> Outcome:
        """The connection ended: no more messages can come."""
        outcome = self.expire(inbox, now)
        if outcome.why is not None:
            outcome.why = outcome.why.noted(f"{self.who}'s connection {how} while waiting.")
        return outcome

    def _is_noise(self, message: Message) -> bool:
        return self.noise is not None and self.noise(message)


class Receive(Expectation):
    """The first unclaimed message that matches; non-matching ones are skipped, not claimed."""

    def __init__(
        self,
        who: str,
        matcher: Matcher,
        timeout: float,
        noise: Noise | None = None,
        background: Background | None = None,
    ) -> None:
        super().__init__(who, timeout, noise)
        self.matcher = matcher
        self.examined: list[Message] = []
        self.background = background
        """What the ``ignore`` setting calls a message (``heartbeat``), None if it is not
        background: such messages nothing like the one awaited are folded into one line."""

    def feed(self, inbox: Inbox, now: float) -> Outcome | None:
        matcher = self.matcher
        for message in inbox.unconsumed(self.pos):
            if self._is_noise(message):
                continue
            if matcher.matches(message):
                inbox.consume(message)
                self.pos = message.seq
                return Outcome(True, [message])
            self.examined.append(message)
        self.pos = len(inbox)
        return None

    def expire(self, inbox: Inbox, now: float) -> Outcome:
        expected = f"a message{_phrase(self.matcher)} within {format_duration(self.timeout)}"
        candidates: tuple[str, ...] = ()
        folded = ""
        ignored_lines: tuple[str, ...] = ()
        if not self.examined:
            observed = "received no message in that time"
        else:
            n = len(self.examined)
            none = "it did not match" if n == 1 else "none matched"
            observed = f"had {_plural(n, 'unread message')}, {none}:"
            shown, ignored = self._fold(self.examined)
            candidates = message_lines(shown, self.matcher)
            if ignored:
                kinds: dict[str, int] = {}
                for _, kind in ignored:
                    kinds[kind] = kinds.get(kind, 0) + 1
                folded = "  " + ignored_line(kinds)
                ignored_lines = message_lines([m for m, _ in ignored], self.matcher)
        claimed = next(
            (
                m
                for m in inbox.since_baseline()
                if inbox.is_consumed(m) and not m.protocol and self.matcher.matches(m)
            ),
            None,
        )
        notes: tuple[str, ...] = ()
        if claimed is not None:
            notes = (
                f"A matching message (#{claimed.seq} at {wall_clock(claimed.at)}) had already "
                "been claimed by an earlier step; each message satisfies one step.",
            )
        why = Failure(
            self.who, expected, observed, candidates, notes, folded=folded, ignored=ignored_lines
        )
        return Outcome(False, why=why)

    def _fold(self, messages: list[Message]) -> tuple[list[Message], list[tuple[Message, str]]]:
        """The messages to list, and the background ones (with what they are) to fold: a
        background message with nothing in common with the one awaited (a heartbeat, when a
        chat message was awaited); one the step's conditions partly fit stays listed."""
        if self.background is None:
            return messages, []
        shown: list[Message] = []
        ignored: list[tuple[Message, str]] = []
        for message in messages:
            kind = self.background(message)
            if kind is not None and self.matcher.score(message) == 0:
                ignored.append((message, kind))
            else:
                shown.append(message)
        return shown, ignored


class Quiet(Expectation):
    """No unclaimed message (matching ``matcher``, if given) arrives before the deadline.

    Messages that arrived before the step and are still unread count too: a
    message leaking to the wrong client is caught even if it came early.
    """

    def __init__(
        self,
        who: str,
        matcher: Matcher | None,
        timeout: float,
        noise: Noise | None = None,
    ) -> None:
        if timeout <= 0:
            raise FeatureMistake(
                "A quiet window of 0 seconds watches nothing: write how long to watch for "
                'the message that must not come, like "within 300 ms".'
            )
        super().__init__(who, timeout, noise)
        self.matcher = matcher

    def feed(self, inbox: Inbox, now: float) -> Outcome | None:
        for message in inbox.unconsumed(self.pos):
            if self.matcher is None:
                if self._is_noise(message):
                    continue
            elif not self.matcher.matches(message):
                continue
            expected = f"no message{_phrase(self.matcher)} within {format_duration(self.timeout)}"
            why = Failure(self.who, expected, "received:", (_line(message),))
            return Outcome(False, [message], why)
        self.pos = len(inbox)
        return None

    def expire(self, inbox: Inbox, now: float) -> Outcome:
        return Outcome(True)

    def closed(self, inbox: Inbox, now: float, how: str) -> Outcome:
        """The connection ended.  Before the window began, nothing was to be watched (a
        quiet window after a disconnect). Inside it, the rest of the window went unwatched:
        the silence was the connection's end, not the server's, so that is no pass."""
        started = self.deadline - self.timeout
        if now <= started:
            return Outcome(True)
        expected = f"no message{_phrase(self.matcher)} within {format_duration(self.timeout)}"
        observed = (
            f"the connection {how} after {format_duration(now - started)}, so the rest of "
            "the time went unwatched"
        )
        return Outcome(False, why=Failure(self.who, expected, observed))


class Count(Expectation):
    """``has received exactly|at least|at most N messages [where …]`` since the last forget.

    Counts claimed and unclaimed messages alike (it is a statement about history)
    and claims the counted ones.  ``exactly`` and ``at most`` watch for ``settle``
    seconds after reaching the count, so a late extra message is not missed.
    """

    def __init__(
        self,
        who: str,
        op: CountOp,
        n: int,
        matcher: Matcher | None,
        timeout: float,
        settle: float,
        noise: Noise | None = None,
    ) -> None:
        super().__init__(who, timeout, noise)
        self.op = op
        self.n = n
        self.matcher = matcher
        self.settle = settle
        self.hits: list[Message] = []
        self.settling = False
        self.dropped: int | None = None
        """Claimed messages since the baseline a bounded inbox had dropped when we began."""
        self.unknowable = ""
        """The sentence saying so, when it had."""

    def start(self, inbox: Inbox, now: float) -> None:
        super().start(inbox, now)
        self.pos = inbox.baseline

    def feed(self, inbox: Inbox, now: float) -> Outcome | None:
        if self.dropped is None:
            # A bounded inbox may have let go of claimed messages since the baseline:
            # without a matcher each is one more message; with one, nobody can tell.
            self.dropped = inbox.dropped_since_baseline
            if self.dropped:
                self.unknowable = inbox.dropped_note(self.who)
        if self.pos < len(inbox):
            for message in inbox.since(self.pos):
                if message.protocol:
                    continue  # the protocol's own news (a namespace refused): no app message
                if self.matcher is None:
                    if self._is_noise(message):
                        continue
                elif not self.matcher.matches(message):
                    continue
                self.hits.append(message)
            self.pos = len(inbox)
        count = len(self.hits) + (self.dropped if self.matcher is None else 0)
        if self.op == "at least":
            if count >= self.n:
                return self._met(inbox)
            return None
        if count > self.n:
            return self._failed()
        if not self.settling and (self.op == "at most" or count == self.n):
            self.settling = True
            self.deadline = now + self.settle
        return None

    def _met(self, inbox: Inbox) -> Outcome:
        for message in self.hits:
            inbox.consume(message)
        return Outcome(True, list(self.hits))

    def _failed(self) -> Outcome:
        count = len(self.hits)
        what = f"{self.op} {_plural(self.n)}{_phrase(self.matcher)}"
        if self.matcher is not None and self.unknowable:
            # Some of the messages to count are gone: the count itself is unknown.
            return Outcome(False, list(self.hits), Failure(self.who, what, self.unknowable))
        count += self.dropped or 0
        if count == 0:
            why = Failure(self.who, what, f"received none in {format_duration(self.timeout)}")
        else:
            why = Failure(self.who, what, f"received {count}:", message_lines(self.hits, limit=10))
        return Outcome(False, list(self.hits), why)

    def expire(self, inbox: Inbox, now: float) -> Outcome:
        count = len(self.hits) + (self.dropped or 0 if self.matcher is None else 0)
        if self.matcher is not None and self.unknowable and self.op != "at least":
            return self._failed()
        ok = {
            "exactly": count == self.n,
            "at least": count >= self.n,
            "at most": count <= self.n,
        }[self.op]
        return self._met(inbox) if ok else self._failed()


def _rows(matchers: Sequence[Matcher]) -> str:
    return "\n".join(f"  {i}. a message{_phrase(m)}" for i, m in enumerate(matchers, 1))


class InOrder(Expectation):
    """Messages matching each row in this order among unclaimed ones (others may interleave)."""

    def __init__(
        self, who: str, matchers: Sequence[Matcher], timeout: float, noise: Noise | None = None
    ) -> None:
        super().__init__(who, timeout, noise)
        self.matchers = list(matchers)
        self.hits: list[Message] = []
        self.seen: list[Message] = []

    def feed(self, inbox: Inbox, now: float) -> Outcome | None:
        for message in inbox.unconsumed(self.pos):
            self.pos = message.seq
            self.seen.append(message)
            if self.matchers[len(self.hits)].matches(message):
                self.hits.append(message)
                if len(self.hits) == len(self.matchers):
                    for hit in self.hits:
                        inbox.consume(hit)
                    return Outcome(True, list(self.hits))
        self.pos = len(inbox)
        return None

    def expire(self, inbox: Inbox, now: float) -> Outcome:
        k = len(self.hits)
        missing = self.matchers[k]
        expected = (
            f"{len(self.matchers)} messages in this order within "
            f"{format_duration(self.timeout)}:\n{_rows(self.matchers)}"
        )
        if k:
            got = ", ".join(f"row {i} by #{m.seq}" for i, m in enumerate(self.hits, 1))
            observed = f"matched {got}, and nothing after #{self.hits[-1].seq} matched row {k + 1}"
        else:
            observed = "no message matched row 1"
        early = [
            m
            for m in self.seen
            if k and m.seq < self.hits[-1].seq and m not in self.hits and missing.matches(m)
        ]
        notes: tuple[str, ...] = ()
        if early:
            notes = (
                f"#{early[0].seq} matches row {k + 1} but arrived before #{self.hits[-1].seq}: "
                "the order differs.",
            )
        after = [m for m in self.seen if not self.hits or m.seq > self.hits[-1].seq]
        candidates: tuple[str, ...] = ()
        if after:
            observed += f"; the unread messages it looked at for row {k + 1}:"
            candidates = message_lines(after, missing)
        why = Failure(self.who, expected, observed, candidates, notes)
        return Outcome(False, list(self.hits), why)


def _assign(matchers: Sequence[Matcher], messages: Sequence[Message]) -> dict[int, int]:
    """Maximum matching of rows to distinct messages (augmenting paths); row -> message index."""
    owner: dict[int, int] = {}  # message index -> row

    def place(row: int, visited: set[int]) -> bool:
        for j, message in enumerate(messages):
            if j in visited or not matchers[row].matches(message):
                continue
            visited.add(j)
            if j not in owner or place(owner[j], visited):
                owner[j] = row
                return True
        return False

    for row in range(len(matchers)):
        place(row, set())
    return {row: j for j, row in owner.items()}


class AnyOrder(Expectation):
    """One distinct unclaimed message for each row, in any order."""

    def __init__(
        self, who: str, matchers: Sequence[Matcher], timeout: float, noise: Noise | None = None
    ) -> None:
        super().__init__(who, timeout, noise)
        self.matchers = list(matchers)
        self.pool: list[Message] = []
        self.assigned: dict[int, int] = {}

    def feed(self, inbox: Inbox, now: float) -> Outcome | None:
        fresh = False
        for message in inbox.unconsumed(self.pos):
            if any(m.matches(message) for m in self.matchers):
                self.pool.append(message)
                fresh = True
        self.pos = len(inbox)
        if fresh:
            self.assigned = _assign(self.matchers, self.pool)
            if len(self.assigned) == len(self.matchers):
                hits = [self.pool[self.assigned[row]] for row in range(len(self.matchers))]
                for hit in hits:
                    inbox.consume(hit)
                return Outcome(True, hits)
        return None

    def expire(self, inbox: Inbox, now: float) -> Outcome:
        expected = (
            f"{len(self.matchers)} messages in any order within "
            f"{format_duration(self.timeout)}:\n{_rows(self.matchers)}"
        )
        unread = list(inbox.unconsumed())
        left: list[int] = []
        candidates: list[str] = []
        for row, matcher in enumerate(self.matchers):
            if row in self.assigned:
                continue
            left.append(row + 1)
            candidates.append(f"Closest unread messages for row {row + 1}:")
            candidates.extend(message_lines(unread, matcher, limit=3) or ("  (none)",))
        rows = f"row {left[0]}" if len(left) == 1 else "rows " + _and(left)
        why = Failure(self.who, expected, f"no message was left for {rows}", tuple(candidates))
        hits = [self.pool[j] for j in self.assigned.values()]
        return Outcome(False, hits, why)


class Until(Expectation):
    """Collect unclaimed messages up to and including one that matches ``marker``."""

    def __init__(
        self, who: str, marker: Matcher, timeout: float, noise: Noise | None = None
    ) -> None:
        super().__init__(who, timeout, noise)
        self.marker = marker
        self.collected: list[Message] = []

    def feed(self, inbox: Inbox, now: float) -> Outcome | None:
        for message in inbox.unconsumed(self.pos):
            self.pos = message.seq
            if self._is_noise(message):
                continue
            self.collected.append(message)
            if self.marker.matches(message):
                for hit in self.collected:
                    inbox.consume(hit)
                return Outcome(True, list(self.collected))
        self.pos = len(inbox)
        return None

    def expire(self, inbox: Inbox, now: float) -> Outcome:
        expected = (
            f"a message{_phrase(self.marker)} to end its collection within "
            f"{format_duration(self.timeout)}"
        )
        if self.collected:
            observed = f"none came; it collected {len(self.collected)}:"
            why = Failure(self.who, expected, observed, message_lines(self.collected, self.marker))
        else:
            why = Failure(self.who, expected, "nothing arrived")
        return Outcome(False, list(self.collected), why)


def unclaimed(inbox: Inbox, noise: Noise | None = None) -> list[Message]:
    """Messages no step claimed (for strict mode), noise excluded."""
    return [m for m in inbox.unconsumed() if noise is None or not noise(m)]


# -- groups -------------------------------------------------------------------------

GroupOp = Literal["every", "exactly", "at least", "at most"]
SHOWN_CLIENTS = 10


def _short_reason(receive: Receive) -> str:
    """Why one client's receive failed, in one line: what it had instead."""
    examined = receive.examined
    if not examined:
        return "received no message in that time"
    closest = max(examined, key=lambda m: (receive.matcher.score(m), m.seq))  # ties: newest
    count = _plural(len(examined), "unread message")
    return (
        f"{count}, closest #{closest.seq} {closest.preview(100)} "
        f"({event_note(receive.matcher.mismatch(closest), closest)})"
    )


def group_verdict(
    subject: str,
    op: GroupOp,
    n: int,
    matcher: Matcher | None,
    timeout: float,
    results: Sequence[tuple[str, Receive, Outcome | None]],
) -> Outcome:
    """Judge a receive step run by several clients at once.

    ``results`` holds, per client, its expectation and outcome (None when it was
    still waiting when the step was decided).  ``subject`` names who, e.g.
    ``client in group "players"``.
    """
    met = [(name, outcome) for name, _, outcome in results if outcome is not None and outcome.met]
    missed = [
        (name, receive) for name, receive, outcome in results if outcome is None or not outcome.met
    ]
    count, total = len(met), len(results)
    ok = {
        "every": count == total,
        "exactly": count == n,
        "at least": count >= n,
        "at most": count <= n,
    }[op]
    messages = [m for _, outcome in met for m in outcome.messages]
    if ok:
        return Outcome(True, messages)
    what = f"a message{_phrase(matcher)} within {format_duration(timeout)}"
    if op == "every":
        head = (
            f"Every {subject} was expected to receive {what}, but {len(missed)} of {total} did not:"
        )
        rows = [f"  {name}: {_short_reason(receive)}" for name, receive in missed[:SHOWN_CLIENTS]]
        if len(missed) > SHOWN_CLIENTS:
            rows.append(
                f"  … and {len(missed) - SHOWN_CLIENTS} more: "
                + ", ".join(name for name, _ in missed[SHOWN_CLIENTS : SHOWN_CLIENTS + 20])
                + (" …" if len(missed) > SHOWN_CLIENTS + 20 else "")
            )
        why = Failure(subject, what, f"{len(missed)} of {total} did not", tuple(rows), (), head)
        return Outcome(False, messages, why)
    names = [name for name, _ in met]
    shown = ", ".join(names[:SHOWN_CLIENTS]) + (" …" if len(names) > SHOWN_CLIENTS else "")
    got = f"{count} of {total} did" + (f" ({shown})" if names else "")
    text = (
        f"{op.capitalize()} {n} of the {total} clients were expected to receive {what}, but {got}."
    )
    rows = []
    if count < n and missed:
        rows = ["Those that did not:"]
        rows += [f"  {name}: {_short_reason(receive)}" for name, receive in missed[:SHOWN_CLIENTS]]
        if len(missed) > SHOWN_CLIENTS:
            rows.append(f"  … and {len(missed) - SHOWN_CLIENTS} more")
    why = Failure(subject, what, got, tuple(rows), (), text)
    return Outcome(False, messages, why)


# -- connection verdicts ------------------------------------------------------------
#
# Pure judgements over what happened to a connection, returning an Outcome like the
# waits above: Session waits for the connection to settle (closed, or a pong), then
# asks one of these.  Each is unit-tested on a plain ConnectionOutcome.


class ConnectionFacts(Protocol):
    """What the verdicts read of a :class:`wsbdd.io.client.ConnectionOutcome`."""

    status: int | None
    opened_at: float | None
    close_code: int | None
    close_reason: str
    clean: bool | None
    subprotocol: str | None

    @property
    def rejected(self) -> bool: ...
    def describe_close(self) -> str: ...
    def describe_failure(self) -> str: ...


def _failed(who: str, expected: str, observed: str) -> Outcome:
    return Outcome(False, why=Failure(who, expected, observed))


def connected(who: str, outcome: ConnectionFacts | None, is_open: bool) -> Outcome:
    """``who`` is connected now (``is_open``); otherwise why not: never opened, or how it ended."""
    if is_open:
        return Outcome(True)
    if outcome is not None and outcome.opened_at is None:
        return _failed(who, "to be connected", f"it never was: {outcome.describe_failure()}")
    ended = outcome.describe_close() if outcome is not None else "was never opened"
    return _failed(who, "to be connected", f"the connection {ended}")


def disconnected(
    who: str,
    outcome: ConnectionFacts | None,
    *,
    closed: bool,
    timeout: float,
    code: int | None = None,
    reason: str | None = None,
    clean: bool | None = None,
) -> Outcome:
    """The connection ended (``closed``) within ``timeout``, with ``code``, ``reason`` and a
    clean or abrupt close when asked."""
    asked = []
    if code is not None:
        asked.append(f"code {code}")
    if reason is not None:
        asked.append(f'reason "{reason}"')
    expected = "to be disconnected" + (f" with {' and '.join(asked)}" if asked else "")
    if clean is not None:
        expected += " cleanly" if clean else " abruptly"
    if not closed:
        return _failed(
            who, f"{expected} within {format_duration(timeout)}", "the connection is still open"
        )
    if outcome is None or outcome.opened_at is None:
        failure = outcome.describe_failure() if outcome is not None else "it was never opened"
        return _failed(who, expected, f"it was never connected: {failure}")
    if (
        (code is not None and outcome.close_code != code)
        or (reason is not None and outcome.close_reason != reason)
        or (clean is not None and outcome.clean != clean)
    ):
        return _failed(who, expected, f"the connection {outcome.describe_close()}")
    return Outcome(True)


def rejected(
    who: str,
    outcome: ConnectionFacts,
    *,
    status: int | None = None,
    answer: str = "",
    body_wanted: str | None = None,
    body_met: bool = True,
) -> Outcome:
    """The server refused the handshake (with ``status``; with a body meeting ``body_wanted``,
    which the caller judged as ``body_met``).  ``answer`` is the refusal as the end of a
    sentence: ``HTTP 401 Unauthorized, body "Invalid token", headers …``."""
    wanted = f" with status {status}" if status is not None else ""
    if outcome.opened_at is not None:
        return _failed(
            who,
            f"the connection to be rejected{wanted}",
            f"the server accepted it (HTTP {outcome.status})",
        )
    if not outcome.rejected:
        return _failed(
            who,
            f"the connection to be rejected{wanted or ' with an HTTP status'}",
            f"it failed otherwise: {outcome.describe_failure()}",
        )
    if status is not None and outcome.status != status:
        return _failed(
            who, f"the connection to be rejected{wanted}", f"it was rejected with {answer}"
        )
    if body_wanted is not None and not body_met:
        return _failed(
            who, f"a rejection with a body that {body_wanted}", f"the server answered {answer}"
        )
    return Outcome(True)


def uses_subprotocol(who: str, outcome: ConnectionFacts | None, subprotocol: str | None) -> Outcome:
    """The server chose ``subprotocol`` (None: no subprotocol at all)."""
    got = outcome.subprotocol if outcome is not None else None
    if got == subprotocol:
        return Outcome(True)
    want = f'"{subprotocol}"' if subprotocol else "no subprotocol"
    have = f'"{got}"' if got else "none"
    return _failed(who, f"the connection to use {want}", f"the server chose {have}")


def ponged(who: str, latency: float | None, timeout: float) -> Outcome:
    """A pong came (``latency`` seconds after the ping) within ``timeout``."""
    if latency is not None:
        return Outcome(True)
    return _failed(who, f"a pong within {format_duration(timeout)}", "none came")
