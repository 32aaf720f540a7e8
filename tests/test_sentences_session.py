"""Session's own failure sentences, pinned whole, against the bundled demo server.

The waits' and verdicts' sentences are pinned on data in test_sentences_expect.py;
these are the ones Session writes itself: unknown clients and groups, clients that
are not connected, remembering, cookies and responses.
"""

from __future__ import annotations

import pytest

from tests.sentences import assert_raises_sentence, clock
from wsbdd.expect import format_duration
from wsbdd.match import where
from wsbdd.model.errors import ConnectionProblem, ExpectationFailed, FeatureMistake
from wsbdd.model.response import Response


@pytest.fixture
def alice(s):
    s.connect("Alice")
    return s


def test_an_unknown_client_names_the_ones_there_are(s):
    assert_raises_sentence(
        'There is no client called "Zed" in this scenario. Connect it first, e.g. "Given Zed '
        'is connected" (clients so far: none yet).',
        s.receive,
        "Zed",
        kind=FeatureMistake,
    )
    s.connect("Alice")
    assert_raises_sentence(
        'There is no client called "Zed" in this scenario. Connect it first, e.g. "Given Zed '
        'is connected" (clients so far: Alice).',
        s.receive,
        "Zed",
        kind=FeatureMistake,
    )


def test_an_unknown_group(s):
    assert_raises_sentence(
        'There is no group called "crowd" in this scenario. Create it first, e.g. "Given 5 '
        'clients in group "crowd" are connected" (groups so far: none yet).',
        s.group_members,
        "crowd",
        kind=FeatureMistake,
    )


def test_an_address_that_is_not_a_websocket_address(s):
    assert_raises_sentence(
        'The address "ftp://x/y" is not a WebSocket address; write a path such as "/chat", a '
        'query such as "?room=1", or a full URL starting with ws://, wss://, http:// or https://.',
        s.connect,
        "Bob",
        "ftp://x/y",
        kind=FeatureMistake,
    )


def test_a_connection_refused_names_the_address(s):
    assert_raises_sentence(
        "Carol could not connect to ws://127.0.0.1:1/ws: the connection was refused (is the "
        "server running on that port?).",
        s.connect,
        "Carol",
        "ws://127.0.0.1:1/ws",
        kind=ConnectionProblem,
    )


def test_a_refused_client_is_not_connected_whatever_it_is_asked(s):
    s.connect("Mallory", "/secure", require=False)
    refused = (
        "Mallory is not connected: the server rejected the handshake with HTTP 401 Unauthorized "
        '("Missing token").'
    )
    assert_raises_sentence(refused, s.receive, "Mallory", kind=ConnectionProblem)
    assert_raises_sentence(refused, s.send, "Mallory", "hi", kind=ConnectionProblem)
    assert_raises_sentence(
        refused, s.receive_each, ["Mallory"], [where("$.type exists")], kind=ConnectionProblem
    )
    assert_raises_sentence(
        "Mallory has not received any message yet.",
        s.last_message,
        "Mallory",
        kind=ExpectationFailed,
    )
    assert_raises_sentence(
        "Mallory expected to be connected, but it never was: the server rejected the handshake "
        'with HTTP 401 Unauthorized ("Missing token").',
        s.expect_connected,
        "Mallory",
        kind=ExpectationFailed,
    )


def test_a_closed_client_can_no_longer_send(alice):
    alice.disconnect("Alice")
    closed = "Alice can no longer send: the connection closed with code 1000."
    assert_raises_sentence(closed, alice.send, "Alice", "hi", kind=ConnectionProblem)
    assert_raises_sentence(
        "Alice expected to be connected, but the connection closed with code 1000.",
        alice.expect_connected,
        "Alice",
        kind=ExpectationFailed,
    )


def test_steps_that_need_an_earlier_step(alice):
    assert_raises_sentence(
        'Alice has not pinged the server; add "When Alice pings the server" first.',
        alice.expect_pong,
        "Alice",
        kind=FeatureMistake,
    )
    assert_raises_sentence(
        'Alice has not collected messages yet; use "Then Alice receives messages until one '
        'where …" first.',
        alice.collected_by,
        "Alice",
        kind=FeatureMistake,
    )
    assert_raises_sentence(
        'There is no response yet in this scenario; make a request first, e.g. "When I GET '
        '"/api/health"".',
        alice.response,
        kind=FeatureMistake,
    )


def test_remembering_from_the_last_message(alice):
    alice.send("Alice", '{"type": "echo", "content": "hi"}')
    alice.receive("Alice", where('$.type is "echo"'))
    assert_raises_sentence(
        "Alice's last message has no $.nope:\n"
        '  #2 HH:MM:SS.mmm {"type":"echo","content":"hi","n":1}',
        alice.remember,
        "v",
        "$.nope",
        "Alice",
        kind=ExpectationFailed,
    )
    assert_raises_sentence(
        'Alice\'s last message does not match "ack:(\\d+)", so "v" cannot be remembered:\n'
        '  #2 HH:MM:SS.mmm {"type":"echo","content":"hi","n":1}',
        alice.remember_match,
        "v",
        r"ack:(\d+)",
        "Alice",
        kind=ExpectationFailed,
    )


def test_a_cookie_nobody_set_names_the_step(alice):
    alice.begin_step('Then Alice remembers her cookie "sid"')
    error = assert_raises_sentence(
        'In the step "Then Alice remembers her cookie "sid"": Alice has no cookie "sid" '
        "(cookies: none).",
        alice.cookie,
        "Alice",
        "sid",
        kind=ExpectationFailed,
    )
    assert error.failure.step == 'Then Alice remembers her cookie "sid"'


def test_receiving_nothing_each(alice):
    alice.send("Alice", b"\x00\x01")
    error = assert_raises_sentence(
        f"Alice expected no message within {format_duration(0.3)}, but received:\n"
        "  #2 HH:MM:SS.mmm binary 2 bytes 0x0001",
        alice.receive_nothing_each,
        ["Alice"],
        window=0.3,
        kind=ExpectationFailed,
    )
    assert clock(str(error)).count("\n") == 1


def test_remembering_text_from_a_binary_message(alice):
    alice.send("Alice", b"\x00\x01")
    alice.receive("Alice")
    assert_raises_sentence(
        'Alice\'s last message is binary, so no text in it can match "ack:(\\d+)":\n'
        "  #2 HH:MM:SS.mmm binary 2 bytes 0x0001",
        alice.remember_match,
        "v",
        r"ack:(\d+)",
        "Alice",
        kind=ExpectationFailed,
    )


def test_following_a_redirect_needs_one(s):
    s.connect("Mallory", "/secure", require=False)  # the refusal is the latest response
    s.begin_step("When Mallory follows the redirect")
    assert_raises_sentence(
        'In the step "When Mallory follows the redirect": Mallory cannot follow a redirect: the '
        "latest response is HTTP 401, not a redirect.",
        s.follow_redirect,
        "Mallory",
        kind=ExpectationFailed,
    )
    s.last_response = Response(302, "Found", (("location", "https://elsewhere.example/x"),))
    s.last_response = Response(
        302, "Found", (("location", "https://elsewhere.example/x"),), url="http://127.0.0.1/a"
    )
    assert_raises_sentence(
        # A feature-text mistake: the step wrapper names the step (test_behave_runs.py).
        "The redirect leads to another origin (https://elsewhere.example/x); wsbdd does not "
        "take credentials there by itself: write that address in a step to go there.",
        s.follow_redirect,
        "Mallory",
        kind=FeatureMistake,
    )
