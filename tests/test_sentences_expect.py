"""Every failure sentence of wsbdd.expect and of the connection verdicts, pinned whole.

In the spirit of PyHamcrest's matcher tests: per expectation, no failure when it
holds, and the exact text when it does not (tests/sentences.py).
"""

from __future__ import annotations

import json
import pickle

import pytest

from tests.sentences import assert_failure, assert_met, assert_raises_sentence
from wsbdd.expect import (
    AnyOrder,
    Count,
    InOrder,
    Quiet,
    Receive,
    Until,
    connected,
    disconnected,
    group_verdict,
    ponged,
    rejected,
    uses_subprotocol,
)
from wsbdd.io.client import ConnectionOutcome
from wsbdd.match import where
from wsbdd.model.errors import ConnectionProblem, ExpectationFailed, FeatureMistake
from wsbdd.model.failures import Failure, render, where_they_differ
from wsbdd.model.inbox import Inbox


def add(inbox: Inbox, **fields: object) -> None:
    inbox.append("text", json.dumps(fields), 0.0)


def run(expectation, inbox: Inbox, at: float = 1.0):
    expectation.start(inbox, 0)
    return expectation.feed(inbox, 0) or expectation.expire(inbox, at)


# -- the renderer ---------------------------------------------------------------------


def test_the_renderer_writes_who_expected_what_but_what_was_observed():
    failure = Failure("Alice", "a pong within 1.0 s", "none came")
    assert render(failure) == "Alice expected a pong within 1.0 s, but none came."
    assert failure.headline == render(failure)


def test_the_renderer_puts_candidates_then_notes_on_lines_of_their_own():
    failure = Failure("Bob", "a message", "had 1 unread message:", ("  #1 {}",), ("A note.",))
    assert render(failure) == "Bob expected a message, but had 1 unread message:\n  #1 {}\nA note."


def test_a_table_of_expected_rows_puts_but_on_its_own_line():
    failure = Failure("Bob", "2 messages:\n  1. a\n  2. b", "no message matched row 1")
    assert (
        render(failure) == "Bob expected 2 messages:\n  1. a\n  2. b\nbut no message matched row 1."
    )


def test_the_step_is_written_once_by_the_renderer_and_kept_when_placed_again():
    failure = Failure(sentence='There is no client called "Zed".').at_step("When Zed sends")
    assert render(failure) == 'In the step "When Zed sends": There is no client called "Zed".'
    assert failure.at_step("Then another step") is failure
    assert Failure(sentence="x.").at_step("").step == ""


def test_an_error_holds_its_failure_and_derives_its_text():
    error = ExpectationFailed(Failure("Alice", "to be connected", "the connection was lost"))
    assert str(error) == "Alice expected to be connected, but the connection was lost."
    assert error.failure.who == "Alice" and error.failure.observed == "the connection was lost"
    assert error.at_step("Then Alice is connected") is error
    assert str(error) == (
        'In the step "Then Alice is connected": Alice expected to be connected, but the '
        "connection was lost."
    )
    assert error.args == (str(error),)  # what behave and pickling see
    again = pickle.loads(pickle.dumps(error))
    assert str(again) == str(error) and again.failure == error.failure


def test_a_mistake_written_as_a_sentence_is_that_sentence():
    mistake = FeatureMistake('There is no client called "Zed".', step="When Zed sends")
    assert str(mistake) == 'In the step "When Zed sends": There is no client called "Zed".'
    assert str(ConnectionProblem("Alice is not connected.")) == "Alice is not connected."


# -- long values: where they differ -------------------------------------------------------


def test_two_long_values_that_differ_late_show_where_not_two_equal_cuts():
    assert where_they_differ("abcdefXhij", "abcdefYhij", context=3, quoted=True) == (
        'first difference at character 7: expected "…defXhij", was "…defYhij"'
    )
    assert where_they_differ("abcdef", "abc", context=2) == (
        "first difference at character 4: expected …bcdef, but the value ends there"
    )
    assert where_they_differ("abc", "abcdef", context=2) == (
        "first difference at character 4: expected the value to end, but it goes on: …bcdef"
    )
    assert where_they_differ("same", "same") == ""


BASE = "The quick brown fox jumps over the lazy dog; " * 3


def test_a_receive_failure_on_a_long_text_points_at_the_difference():
    inbox = Inbox()
    add(inbox, text=BASE + "and then it sleeps.")
    receive = Receive("Bob", where(f'$.text is "{BASE}and then it naps."'), 1.0)
    assert_failure(
        'Bob expected a message where $.text is "The quick brown fox jumps over the lazy dog; '
        "The quick brown fox jumps over the lazy dog; The quick brown fox jumps ov… within 1.0 s, "
        "but had 1 unread message, it did not match:\n"
        '  #1 HH:MM:SS.mmm {"text": "The quick brown fox jumps over the lazy dog; The quick '
        "brown fox jumps over the lazy dog; The quick brown fox jumps over the lazy dog; and then "
        'it sl…   ($.text was "The quick brown fox jumps over the lazy dog; The quick brown '
        'fox jumps over th… (first difference at character 148: expected "…zy dog; and then it '
        'naps.", was "…zy dog; and then it sleeps."))',
        run(receive, inbox),
    )


def test_short_values_keep_their_plain_sentence():
    inbox = Inbox()
    add(inbox, text="sleeps")
    assert_failure(
        'Bob expected a message where $.text is "naps" within 1.0 s, but had 1 unread message, '
        "it did not match:\n"
        '  #1 HH:MM:SS.mmm {"text": "sleeps"}   ($.text was "sleeps")',
        run(Receive("Bob", where('$.text is "naps"'), 1.0), inbox),
    )


def test_two_long_lists_show_where_they_differ_in_their_json():
    inbox = Inbox()
    add(inbox, n=list(range(40)))
    wanted = [*range(30), 99, *range(31, 40)]
    outcome = run(Receive("Bob", where(f"$.n is {json.dumps(wanted)}"), 1.0), inbox)
    assert outcome.failure.endswith(
        "(first difference at character 112: expected …25, 26, 27, 28, 29, 99, 31, 32, 33, 34, "
        "3…, was …25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 3…))"
    )


# -- waits over the inbox ---------------------------------------------------------------


def test_receive():
    inbox = Inbox()
    add(inbox, type="chat")
    assert_met(run(Receive("Bob", where('$.type is "chat"'), 1.0), inbox))
    assert_failure(
        'Carol expected a message where $.type is "chat" within 500 ms, but received no '
        "message in that time.",
        run(Receive("Carol", where('$.type is "chat"'), 0.5), Inbox()),
    )
    assert_failure(
        'Bob expected a message where $.type is "chat" within 1.0 s, but received no message '
        "in that time.\n"
        "A matching message (#1 at HH:MM:SS.mmm) had already been claimed by an earlier step; "
        "each message satisfies one step.",
        run(Receive("Bob", where('$.type is "chat"'), 1.0), inbox),
    )


def test_receive_closed_while_waiting():
    receive = Receive("Bob", where('$.type is "chat"'), 1.0)
    inbox = Inbox()
    receive.start(inbox, 0)
    assert_failure(
        'Bob expected a message where $.type is "chat" within 1.0 s, but received no message '
        "in that time.\nBob's connection closed with code 1006 while waiting.",
        receive.closed(inbox, 0.2, "closed with code 1006"),
    )


def test_quiet():
    assert_met(run(Quiet("Alice", None, 0.5), Inbox()))
    inbox = Inbox()
    add(inbox, type="chat")
    assert_failure(
        "Alice expected no message within 500 ms, but received:\n"
        '  #1 HH:MM:SS.mmm {"type": "chat"}',
        run(Quiet("Alice", None, 0.5), inbox),
    )
    assert_failure(
        'Alice expected no message where $.type is "chat" within 500 ms, but received:\n'
        '  #1 HH:MM:SS.mmm {"type": "chat"}',
        run(Quiet("Alice", where('$.type is "chat"'), 0.5), inbox),
    )


def test_quiet_when_the_connection_ends_inside_the_window():
    quiet = Quiet("Carol", where('$.event is "chat"'), 61.0)
    quiet.start(Inbox(), 0)
    assert_failure(
        'Carol expected no message where $.event is "chat" within 61.0 s, but the connection '
        "closed with code 1000 (transport close) after 45.0 s, so the rest of the time went "
        "unwatched.",
        quiet.closed(Inbox(), 45.0, "closed with code 1000 (transport close)"),
    )


def test_count():
    inbox = Inbox()
    add(inbox, type="echo")
    assert_met(run(Count("Alice", "exactly", 1, None, 1.0, 0), inbox))
    assert_failure(
        'Alice expected at least 3 messages, but received 1:\n  #1 HH:MM:SS.mmm {"type": "echo"}',
        run(Count("Alice", "at least", 3, None, 1.0, 0), inbox),
    )
    assert_failure(
        'Alice expected at most 0 messages where $.type is "echo", but received 1:\n'
        '  #1 HH:MM:SS.mmm {"type": "echo"}',
        run(Count("Alice", "at most", 0, where('$.type is "echo"'), 1.0, 0), inbox),
    )
    assert_failure(
        "Alice expected exactly 1 message, but received none in 2.0 s.",
        run(Count("Alice", "exactly", 1, None, 2.0, 0), Inbox(), 2.0),
    )


def test_in_order():
    inbox = Inbox()
    add(inbox, type="x")
    assert_failure(
        "Alice expected 2 messages in this order within 1.0 s:\n"
        '  1. a message where $.type is "a"\n'
        '  2. a message where $.type is "b"\n'
        "but no message matched row 1; the unread messages it looked at for row 1:\n"
        '  #1 HH:MM:SS.mmm {"type": "x"}   ($.type was "x")',
        run(InOrder("Alice", [where('$.type is "a"'), where('$.type is "b"')], 1.0), inbox),
    )
    add(inbox, type="a")
    add(inbox, type="c")
    assert_failure(
        "Alice expected 2 messages in this order within 1.0 s:\n"
        '  1. a message where $.type is "a"\n'
        '  2. a message where $.type is "b"\n'
        "but matched row 1 by #2, and nothing after #2 matched row 2; the unread messages it "
        "looked at for row 2:\n"
        '  #3 HH:MM:SS.mmm {"type": "c"}   ($.type was "c")',
        run(InOrder("Alice", [where('$.type is "a"'), where('$.type is "b"')], 1.0), inbox),
    )


def test_any_order():
    inbox = Inbox()
    add(inbox, type="a")
    rows = [where('$.type is "a"'), where('$.type is "b"'), where('$.type is "c"')]
    assert_failure(
        "Alice expected 3 messages in any order within 1.0 s:\n"
        '  1. a message where $.type is "a"\n'
        '  2. a message where $.type is "b"\n'
        '  3. a message where $.type is "c"\n'
        "but no message was left for rows 2 and 3.\n"
        "Closest unread messages for row 2:\n"
        '  #1 HH:MM:SS.mmm {"type": "a"}   ($.type was "a")\n'
        "Closest unread messages for row 3:\n"
        '  #1 HH:MM:SS.mmm {"type": "a"}   ($.type was "a")',
        run(AnyOrder("Alice", rows, 1.0), inbox),
    )
    assert_failure(
        "Alice expected 1 messages in any order within 1.0 s:\n"
        '  1. a message where $.type is "b"\n'
        "but no message was left for row 1.\n"
        "Closest unread messages for row 1:\n"
        "  (none)",
        run(AnyOrder("Alice", [where('$.type is "b"')], 1.0), Inbox()),
    )


def test_until():
    assert_failure(
        "Alice expected a message where $.last is true to end its collection within 1.0 s, "
        "but nothing arrived.",
        run(Until("Alice", where("$.last is true"), 1.0), Inbox()),
    )


def test_a_group_verdict_holds_its_rows_as_candidates():
    inbox = Inbox()
    receive = Receive("p1", where('$.type is "go"'), 1.0)
    outcome = run(receive, inbox)
    verdict = group_verdict(
        'client in group "crowd"', "every", 0, receive.matcher, 1.0, [("p1", receive, outcome)]
    )
    assert_failure(
        'Every client in group "crowd" was expected to receive a message where $.type is "go" '
        "within 1.0 s, but 1 of 1 did not:\n  p1: received no message in that time",
        verdict,
    )
    assert verdict.why is not None and verdict.why.candidates == (
        "  p1: received no message in that time",
    )


# -- connection verdicts ------------------------------------------------------------------


def opened(**fields: object) -> ConnectionOutcome:
    return ConnectionOutcome(url="ws://x/ws", status=101, opened_at=1.0, **fields)  # type: ignore[arg-type]


REFUSED = ConnectionOutcome(url="ws://x/ws", status=401, reason_phrase="Unauthorized")
NEVER = ConnectionOutcome(url="ws://x/ws", error="the server could not be reached")


def test_connected():
    assert_met(connected("Alice", opened(), True))
    assert_failure(
        "Alice expected to be connected, but it never was: the server rejected the handshake "
        "with HTTP 401 Unauthorized.",
        connected("Alice", REFUSED, False),
    )
    assert_failure(
        "Alice expected to be connected, but the connection closed with code 1001 and reason "
        '"going away".',
        connected(
            "Alice",
            opened(
                closed_at=2.0,
                close_code=1001,
                close_reason="going away",
                closed_by="server",
                clean=True,
            ),
            False,
        ),
    )
    assert_failure(
        "Alice expected to be connected, but the connection was never opened.",
        connected("Alice", None, False),
    )


def test_disconnected():
    closed = opened(closed_at=2.0, close_code=1000, closed_by="server", clean=True)
    assert_met(disconnected("Bob", closed, closed=True, timeout=1.0, code=1000, clean=True))
    assert_failure(
        "Bob expected to be disconnected with code 4001 within 2.0 s, but the connection is "
        "still open.",
        disconnected("Bob", opened(), closed=False, timeout=2.0, code=4001),
    )
    assert_failure(
        "Bob expected to be disconnected, but it was never connected: the server could not be "
        "reached.",
        disconnected("Bob", NEVER, closed=True, timeout=1.0),
    )
    assert_failure(
        'Bob expected to be disconnected with code 4001 and reason "kicked", but the connection '
        "closed with code 1000.",
        disconnected("Bob", closed, closed=True, timeout=1.0, code=4001, reason="kicked"),
    )
    assert_failure(
        "Bob expected to be disconnected abruptly, but the connection closed with code 1000.",
        disconnected("Bob", closed, closed=True, timeout=1.0, clean=False),
    )
    lost = opened(closed_at=2.0, close_code=1006, clean=False)
    assert_failure(
        "Bob expected to be disconnected cleanly, but the connection was lost without a "
        "closing handshake (1006).",
        disconnected("Bob", lost, closed=True, timeout=1.0, clean=True),
    )


def test_rejected():
    answer = 'HTTP 401 Unauthorized, body "Invalid token"'
    assert_met(rejected("Mallory", REFUSED, status=401, answer=answer))
    assert_failure(
        "Mallory expected the connection to be rejected with status 401, but the server "
        "accepted it (HTTP 101).",
        rejected("Mallory", opened(), status=401),
    )
    assert_failure(
        "Mallory expected the connection to be rejected with an HTTP status, but it failed "
        "otherwise: the server could not be reached.",
        rejected("Mallory", NEVER),
    )
    assert_failure(
        "Mallory expected the connection to be rejected with status 403, but it was rejected "
        'with HTTP 401 Unauthorized, body "Invalid token".',
        rejected("Mallory", REFUSED, status=403, answer=answer),
    )
    assert_failure(
        'Mallory expected a rejection with a body that contains "expired", but the server '
        'answered HTTP 401 Unauthorized, body "Invalid token".',
        rejected(
            "Mallory", REFUSED, answer=answer, body_wanted='contains "expired"', body_met=False
        ),
    )


def test_subprotocol():
    assert_met(uses_subprotocol("Alice", opened(subprotocol="chat.v2"), "chat.v2"))
    assert_met(uses_subprotocol("Alice", opened(), None))
    assert_failure(
        'Alice expected the connection to use "chat.v2", but the server chose none.',
        uses_subprotocol("Alice", opened(), "chat.v2"),
    )
    assert_failure(
        'Alice expected the connection to use no subprotocol, but the server chose "chat.v1".',
        uses_subprotocol("Alice", opened(subprotocol="chat.v1"), None),
    )


def test_pong():
    assert_met(ponged("Alice", 0.002, 1.0))
    assert_failure(
        "Alice expected a pong within 300 ms, but none came.", ponged("Alice", None, 0.3)
    )


def test_a_verdict_raised_by_the_harness_keeps_its_data():
    def check() -> None:
        raise ExpectationFailed(ponged("Alice", None, 0.3).why or "")

    error = assert_raises_sentence(
        "Alice expected a pong within 300 ms, but none came.", check, kind=ExpectationFailed
    )
    assert (error.failure.who, error.failure.expected, error.failure.observed) == (
        "Alice",
        "a pong within 300 ms",
        "none came",
    )
    with pytest.raises(AssertionError):
        assert_raises_sentence("anything", lambda: None)


def _waited(name: str, **payload: object):
    inbox = Inbox()
    if payload:
        add(inbox, **payload)
    receive = Receive(name, where("$.correct is true"), 1.0)
    return name, receive, run(receive, inbox)


def test_group_verdicts_by_count():
    right = [_waited(f"p{i}", correct=True) for i in (1, 2)]
    wrong = [_waited(f"p{i}", correct=False) for i in (3, 4, 5)]
    matcher = where("$.correct is true")
    assert_met(group_verdict("client", "at least", 2, matcher, 1.0, right + wrong))
    closest = [
        f'  p{i}: 1 unread message, closest #1 {{"correct": false}} ($.correct was false)'
        for i in (3, 4, 5)
    ]
    assert_failure(
        "Exactly 3 of the 5 clients were expected to receive a message where $.correct is true "
        "within 1.0 s, but 2 of 5 did (p1, p2).\nThose that did not:\n" + "\n".join(closest),
        group_verdict("client", "exactly", 3, matcher, 1.0, right + wrong),
    )
    assert_failure(
        "At most 1 of the 5 clients were expected to receive a message where $.correct is true "
        "within 1.0 s, but 2 of 5 did (p1, p2).",
        group_verdict("client", "at most", 1, matcher, 1.0, right + wrong),
    )
    assert_failure(
        "At least 1 of the 3 clients were expected to receive a message where $.correct is true "
        "within 1.0 s, but 0 of 3 did.\nThose that did not:\n" + "\n".join(closest),
        group_verdict("client", "at least", 1, matcher, 1.0, wrong),
    )


def test_a_long_group_failure_is_summarised():
    many = [_waited(f"p{i}") for i in range(1, 35)]
    rows = [f"  p{i}: received no message in that time" for i in range(1, 11)]
    assert_failure(
        'Every client in group "crowd" was expected to receive a message where $.correct is '
        "true within 1.0 s, but 34 of 34 did not:\n"
        + "\n".join(rows)
        + "\n  … and 24 more: "
        + ", ".join(f"p{i}" for i in range(11, 31))
        + " …",
        group_verdict('client in group "crowd"', "every", 0, where("$.correct is true"), 1.0, many),
    )
    exactly = group_verdict("client", "exactly", 1, None, 1.0, many)
    assert exactly.failure.splitlines()[-1] == "  … and 24 more"


def test_a_count_over_messages_a_bounded_inbox_let_go():
    inbox = Inbox(limit=1)
    add(inbox, type="echo")
    add(inbox, type="echo")
    for message in list(inbox.since(0)):
        inbox.consume(message)  # claimed: the oldest is let go beyond the limit
    assert_failure(
        'Alice expected exactly 2 messages where $.type is "echo", but Alice\'s inbox keeps only '
        "its 1 most recently claimed messages (inbox_limit = 1) and has dropped 1 claimed "
        "message this step would need to look at; raise inbox_limit (0 keeps every message) to "
        "check them.",
        run(Count("Alice", "exactly", 2, where('$.type is "echo"'), 1.0, 0), inbox),
    )
