"""The STOMP steps' failure sentences, pinned whole: on data where they are pure
(:mod:`wsbdd.expect.frames`), else against the real RabbitMQ broker (the ``stomp_broker``
fixture) through the session and the steps, as a tester reaches them.  The same sentences
through behave: tests/test_stomp_features.py."""

# ruff: noqa: E501  (whole sentences, one string each)
from __future__ import annotations

from typing import Any

import pytest

from tests.sentences import assert_failure, assert_met, assert_raises_sentence, clock, run_step
from wsbdd.expect import Quiet, Receive
from wsbdd.expect.events import Answer
from wsbdd.expect.frames import (
    FrameMatcher,
    ReceiptMatcher,
    broker_refused,
    frame_label,
    frame_words,
    has_header,
    receipt_answer,
)
from wsbdd.match.grammar import conditions
from wsbdd.model.errors import ConnectionProblem, ExpectationFailed, FeatureMistake
from wsbdd.model.failures import render
from wsbdd.model.inbox import Inbox
from wsbdd.model.variables import Variables


def frame(command: str, headers: dict[str, Any] | None = None, body: Any = "") -> dict[str, Any]:
    return {"command": command, "headers": headers or {}, "body": body}


def message(destination: str, body: Any, **headers: str) -> dict[str, Any]:
    return frame("MESSAGE", {"destination": destination, **headers}, body)


def inbox_of(*values: dict[str, Any], protocol: bool = False) -> Inbox:
    inbox = Inbox()
    for at, value in enumerate(values):
        inbox.append_value("text", "MESSAGE…", value, float(at), frame_label(value), protocol)
    return inbox


def where(text: str) -> tuple[Any, ...]:
    return conditions(text, Variables()).conditions


# -- on data ------------------------------------------------------------------------------------


def test_labels_name_the_command_the_destination_and_the_body():
    assert frame_label(message("/topic/room.lobby", {"text": "hi"})) == (
        'MESSAGE /topic/room.lobby {"text": "hi"}'
    )
    assert frame_label(message("/queue/a", "job 1")) == 'MESSAGE /queue/a "job 1"'
    assert frame_label(frame("ERROR", {"message": "not_found"})) == 'ERROR "not_found"'
    assert frame_label(frame("RECEIPT", {"receipt-id": "r-1"})) == "RECEIPT r-1"
    assert frame_label("plain") == '"plain"'


def test_a_message_whose_body_differs_names_the_path_and_what_came():
    inbox = inbox_of(message("/topic/room.lobby", {"text": "hello"}))
    wait = Receive("Ben", FrameMatcher("MESSAGE", "/topic/room.lobby", where('$.body.text is "hi"')), 1.0)
    wait.start(inbox, 0.0)
    assert wait.feed(inbox, 0.0) is None
    outcome = wait.expire(inbox, 1.0)
    assert outcome.why is not None
    outcome.why = frame_words(outcome.why)
    assert_failure(
        'Ben expected a MESSAGE from "/topic/room.lobby" where $.body.text is "hi" within 1.0 s, '
        "but had 1 unread message, it did not match:\n"
        '  #1 HH:MM:SS.mmm MESSAGE /topic/room.lobby {"text": "hello"}   ($.body.text was "hello")',
        outcome,
    )


def test_a_message_from_another_destination_says_where_it_came_from():
    inbox = inbox_of(message("/topic/other", {"text": "hi"}), frame("ERROR", {"message": "x"}))
    wait = Receive("Ben", FrameMatcher("MESSAGE", "/topic/room.lobby"), 0.3)
    wait.start(inbox, 0.0)
    assert wait.feed(inbox, 0.0) is None
    outcome = wait.expire(inbox, 1.0)
    assert outcome.why is not None
    outcome.why = frame_words(outcome.why)
    assert_failure(
        'Ben expected a MESSAGE from "/topic/room.lobby" within 300 ms, but had 2 unread '
        "messages, none matched:\n"
        '  #1 HH:MM:SS.mmm MESSAGE /topic/other {"text": "hi"}   (from "/topic/other")\n'
        '  #2 HH:MM:SS.mmm ERROR "x"   (an ERROR)',
        outcome,
    )


def test_a_message_that_matches_is_claimed():
    inbox = inbox_of(message("/queue/a", "job 1", ack="a-1"))
    wait = Receive("Ben", FrameMatcher("MESSAGE", "/queue/a", where('$.body is "job 1"')), 1.0)
    wait.start(inbox, 0.0)
    outcome = wait.feed(inbox, 0.0)
    assert_met(outcome)
    assert outcome is not None and outcome.messages[0].value["headers"]["ack"] == "a-1"


def test_an_error_that_never_comes():
    wait = Receive("Ann", FrameMatcher("ERROR", None, where('$.headers.message is "x"')), 0.5)
    inbox = Inbox()
    wait.start(inbox, 0.0)
    outcome = wait.expire(inbox, 1.0)
    assert outcome.why is not None
    outcome.why = frame_words(outcome.why)
    assert_failure(
        'Ann expected an ERROR where $.headers.message is "x" within 500 ms, but received no '
        "message in that time.",
        outcome,
    )


def test_a_message_that_should_not_come():
    inbox = inbox_of(message("/queue/a", {"n": 1}))
    wait = Quiet("Carol", FrameMatcher("MESSAGE", "/queue/a"), 0.3)
    wait.start(inbox, 0.0)
    outcome = wait.feed(inbox, 0.0)
    assert outcome is not None and outcome.why is not None
    outcome.why = frame_words(outcome.why)
    assert_failure(
        'Carol expected no MESSAGE from "/queue/a" within 300 ms, but received:\n'
        '  #1 HH:MM:SS.mmm MESSAGE /queue/a {"n": 1}',
        outcome,
    )


def test_a_receipt_that_never_comes_and_one_answered_by_an_error():
    matcher = ReceiptMatcher("r-3", 'SEND to "/queue/a"')
    wait = Answer("Ann", matcher, 0.5, 0)
    inbox = inbox_of(frame("RECEIPT", {"receipt-id": "r-2"}), protocol=True)
    wait.start(inbox, 0.0)
    assert wait.feed(inbox, 0.0) is None
    assert render(wait.expire(inbox, 1.0).why) == (  # type: ignore[arg-type]
        'Ann expected the receipt for its SEND to "/queue/a" within 500 ms, but none came.'
    )
    error = frame("ERROR", {"message": "not_found"}, "NOT_FOUND - no exchange 'nope' in vhost '/'")
    assert matcher.matches(inbox_of(error).messages[0])
    assert_failure(
        'Ann expected the receipt for its SEND to "/exchange/nope", but the broker answered '
        "ERROR \"not_found\" (NOT_FOUND - no exchange 'nope' in vhost '/').",
        receipt_answer("Ann", 'SEND to "/exchange/nope"', error),
    )
    assert_met(receipt_answer("Ann", "BEGIN", frame("RECEIPT", {"receipt-id": "r-3"})))
    other = frame("ERROR", {"message": "x", "receipt-id": "r-9"})
    assert not matcher.matches(inbox_of(other).messages[0])


def test_a_header_that_differs_or_is_missing():
    got = message("/queue/a", "hi", **{"content-type": "text/plain"})
    assert_failure(
        'Ben expected its last message to have header "content-type" "application/json", but it '
        'was "text/plain".',
        has_header("Ben", "its last message", got, "content-type", "application/json"),
    )
    assert_failure(
        'Ben expected its last message to have header "x-trace", but it had no such header (it '
        'had "destination", "content-type").',
        has_header("Ben", "its last message", got, "x-trace", None),
    )
    assert_met(has_header("Ben", "its last message", got, "content-type", "text/plain"))


def test_a_refusal_that_differs():
    refused = "the broker refused the connection: Bad CONNECT (Access refused for user 'guest')"
    assert_met(broker_refused("Mallory", refused, False, None, False))
    assert_met(broker_refused("Mallory", refused, False, "Bad CONNECT", False))
    assert_met(broker_refused("Mallory", refused, False, "Access refused", True))
    assert_failure(
        'Mallory expected the broker to refuse its connection with a message "Access refused", '
        "but it refused it: Bad CONNECT (Access refused for user 'guest').",
        broker_refused("Mallory", refused, False, "Access refused", False),
    )
    assert_failure(
        "Mallory expected the broker to refuse its connection, but the broker accepted it.",
        broker_refused("Mallory", None, True, None, False),
    )
    assert_failure(
        'Mallory expected the broker to refuse its connection with a message containing "x", '
        "but it failed otherwise: the server rejected the handshake with HTTP 404.",
        broker_refused("Mallory", "the server rejected the handshake with HTTP 404", False, "x", True),
    )
