"""The STOMP steps' failure sentences, pinned whole: on data where they are pure
(:mod:`wsbdd.expect.frames`), else against the real RabbitMQ broker (the ``stomp_broker``
fixture) through the session and the steps, as a tester reaches them.  The same sentences
through behave: tests/test_stomp_features.py."""

# ruff: noqa: E501  (whole sentences, one string each)
from __future__ import annotations

import types
from typing import Any

import pytest

from tests.sentences import (
    assert_failure,
    assert_met,
    assert_raises_sentence,
    clock,
    run_step,
    sentence_of,
)
from wsbdd.expect import Quiet, Receive
from wsbdd.expect.events import Answer
from wsbdd.expect.frames import (
    FrameMatcher,
    ReceiptMatcher,
    ack_mode,
    broker_refused,
    frame_label,
    frame_words,
    has_header,
    receipt_answer,
)
from wsbdd.facade.session import Run
from wsbdd.match.grammar import conditions
from wsbdd.model.errors import ConnectionProblem, ExpectationFailed, FeatureMistake
from wsbdd.model.failures import render
from wsbdd.model.inbox import Inbox
from wsbdd.model.variables import Variables
from wsbdd.settings.config import Settings


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
    wait = Receive(
        "Ben", FrameMatcher("MESSAGE", "/topic/room.lobby", where('$.body.text is "hi"')), 1.0
    )
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
        broker_refused(
            "Mallory", "the server rejected the handshake with HTTP 404", False, "x", True
        ),
    )


# -- against the real broker (the stomp_broker fixture) -------------------------------------------


@pytest.fixture(scope="module")
def stomp_run(stomp_broker):
    settings = Settings(url=stomp_broker.url, timeout=2.0, quiet_window=0.3)
    with Run.start(settings) as run:
        yield run


@pytest.fixture
def st(stomp_run, stomp_broker):
    with stomp_run.session() as session:
        session.use_protocol("STOMP")
        session.broker = stomp_broker
        yield session


def login(st: Any, *names: str) -> None:
    st.connect_stomp(list(names), login=st.broker.login, passcode=st.broker.passcode)


def test_a_stomp_step_on_a_plain_websocket_client(s):
    s.connect("Alice")
    assert_raises_sentence(
        "Alice is connected over plain WebSocket, so there are no STOMP frames to send or wait "
        'for: add "Given the server speaks STOMP" before connecting, or connect with "Given '
        'Alice is connected over STOMP".',
        s.stomp_send,
        "Alice",
        "/queue/a",
        "hi",
        kind=FeatureMistake,
    )


def test_a_wrong_passcode_is_one_sentence(st):
    error = assert_raises_sentence(
        f"Mallory could not connect to {st.broker.url}: the broker refused the connection: Bad "
        "CONNECT (Access refused for user 'guest').",
        st.connect_stomp,
        ["Mallory"],
        login="guest",
        passcode="not-the-passcode",
        kind=ConnectionProblem,
    )
    assert "not-the-passcode" not in str(error)


def test_a_refusal_that_did_not_happen(st):
    login(st, "Ann")
    assert_raises_sentence(
        "Ann expected the broker to refuse its connection, but the broker accepted it.",
        st.expect_broker_refused,
        "Ann",
        kind=ExpectationFailed,
    )
    st.connect_stomp(["Mallory"], login="guest", passcode="nope", require=False)
    assert st.expect_broker_refused("Mallory", "Bad CONNECT").startswith("the broker refused")


def test_unsubscribing_from_a_destination_never_subscribed(st):
    login(st, "Ann")
    st.stomp_subscribe(["Ann"], "/topic/one")
    assert_raises_sentence(
        'In the step "When Ann unsubscribes from "/topic/two"": Ann has not subscribed to '
        '"/topic/two" (its subscriptions: "/topic/one"); write '
        '"Given Ann subscribes to "/topic/two"" first.',
        run_step,
        st,
        'When Ann unsubscribes from "/topic/two"',
        kind=FeatureMistake,
    )


def test_the_last_message_before_any(st):
    login(st, "Ben")
    assert_raises_sentence(
        'In the step "Then Ben\'s last message has header "x"": Ben has received no MESSAGE a '
        'step checked yet; write "Then Ben receives a MESSAGE from "/queue/…"" first.',
        run_step,
        st,
        'Then Ben\'s last message has header "x"',
        kind=FeatureMistake,
    )


def test_a_message_kept_under_no_such_name(st):
    login(st, "Ben")
    assert_raises_sentence(
        'In the step "When Ben acknowledges the message kept as "m9"": No message is kept as '
        '"m9" (kept so far: none); write "And Ben keeps the last message as "m9"" first.',
        run_step,
        st,
        'When Ben acknowledges the message kept as "m9"',
        kind=FeatureMistake,
    )


def test_acknowledging_what_the_broker_counts_as_acknowledged(st):
    login(st, "Ann", "Ben")
    st.stomp_subscribe(["Ben"], "/topic/auto")
    st.stomp_send("Ann", "/topic/auto", {"n": 1})
    st.expect_stomp_message("Ben", "/topic/auto")
    assert_raises_sentence(
        'In the step "When Ben acknowledges the last message": Ben cannot acknowledge its last '
        'message: it came through a subscription with ack "auto", which the broker counts as '
        'acknowledged; subscribe with ack "client-individual" (or "client") to acknowledge '
        "messages yourself.",
        run_step,
        st,
        "When Ben acknowledges the last message",
        kind=FeatureMistake,
    )


def test_acknowledging_a_message_another_client_received(st):
    login(st, "Ann", "Ben")
    st.stomp_subscribe(["Ben"], "/queue/kept", ack="client-individual")
    st.stomp_send("Ann", "/queue/kept", "x")
    st.expect_stomp_message("Ben", "/queue/kept")
    st.keep_message("Ben", "mine")
    assert st.vars.get("mine")["body"] == "x"
    assert_raises_sentence(
        'Ann cannot acknowledge the message kept as "mine": Ben received it, and a broker takes '
        "an acknowledgement only from the connection the message came to.",
        st.acknowledge_message,
        "Ann",
        kept="mine",
        kind=FeatureMistake,
    )
    st.acknowledge_message("Ben", kept="mine")


def test_a_header_and_a_receipt_through_the_steps(st):
    login(st, "Ann", "Ben")
    run_step(st, 'Given Ben subscribes to "/topic/h"')
    run_step(
        st, 'When Ann sends "hi" to "/topic/h" with header "x-a" "1" and waits for the receipt'
    )
    run_step(st, 'Then Ben receives a MESSAGE from "/topic/h" where $.headers.x-a is "1"')
    assert_raises_sentence(
        'Ben expected its last message to have header "x-b", but it had no such header (it had '
        '"subscription", "destination", "message-id", "redelivered", "receipt", "x-a", "content-type", '
        '"content-length").',
        run_step,
        st,
        'Then Ben\'s last message has header "x-b"',
        kind=ExpectationFailed,
    )


def test_a_receipt_answered_by_an_error(st):
    login(st, "Ann")
    error = assert_raises_sentence(
        'Ann expected the receipt for its SUBSCRIBE to "/nowhere/x", but the broker answered '
        "ERROR \"Unknown destination\" ('/nowhere/x' is not a valid destination. Valid "
        "destination types are: /temp-queue, /exchange, /topic, /queue, /amq/queue, "
        "/reply-queue/.).",
        st.stomp_subscribe,
        ["Ann"],
        "/nowhere/x",
        kind=ExpectationFailed,
    )
    assert "Traceback" not in str(error)


def test_a_message_from_a_destination_that_never_sends(st):
    login(st, "Ben")
    assert_raises_sentence(
        'Ben expected a MESSAGE from "/topic/silent" within 300 ms, but received no message in '
        "that time.",
        run_step,
        st,
        'Then Ben receives a MESSAGE from "/topic/silent" within 300 ms',
        kind=ExpectationFailed,
    )


def test_an_error_that_never_comes_and_a_message_that_should_not_come(st):
    login(st, "Ann", "Ben")
    assert_raises_sentence(
        "Ann expected an ERROR within 300 ms, but received no message in that time.",
        st.expect_stomp_error,
        "Ann",
        (),
        0.3,
        kind=ExpectationFailed,
    )
    st.stomp_subscribe(["Ben"], "/topic/leak")
    st.stomp_send("Ann", "/topic/leak", {"n": 1}, receipt=True)
    error = sentence_of(st.expect_no_stomp_message, "Ben", "/topic/leak", (), 0.3)
    assert isinstance(error, ExpectationFailed)
    assert clock(str(error)) == (
        'Ben expected no MESSAGE from "/topic/leak" within 300 ms, but received:\n'
        '  #2 HH:MM:SS.mmm MESSAGE /topic/leak {"n": 1}'
    )


def _no_table_context():
    return types.SimpleNamespace(table=None, text=None)


def test_a_send_without_its_table_or_its_docstring(st):
    from wsbdd.steps.stomp import _docstring_body, _table_headers

    assert_raises_sentence(
        "Put the headers in a table under the step:\n"
        "  | header       | value            |\n"
        "  | content-type | application/json |",
        _table_headers,
        _no_table_context(),
        st,
        kind=FeatureMistake,
    )
    assert_raises_sentence(
        'This step needs the body in a docstring under it (between """ lines): JSON such as '
        '{"text": "hi"}, or any text.',
        _docstring_body,
        _no_table_context(),
        st,
        kind=FeatureMistake,
    )


def test_an_ack_mode_stomp_does_not_know():
    assert ack_mode(None) == "auto"
    assert ack_mode("client-individual") == "client-individual"
    assert_raises_sentence(
        'STOMP knows no ack mode "client_individual"; write with ack "auto" (the broker counts '
        'each message as acknowledged), "client" (an ACK covers every message before it) or '
        '"client-individual" (one ACK per message).',
        ack_mode,
        "client_individual",
        kind=FeatureMistake,
    )
