"""Reconnection's failure sentences, pinned whole, against real servers on 127.0.0.1.

The raw WebSocket ones run against the bundled demo and small websockets servers;
the Socket.IO ones (io server disconnect, no recovery offered, recovery offered but
not given, the same sid after a recovery, recovered when it should not be) against
the test apps of tests/socketio_apps (python-socketio, Node socket.io 4 with recovery).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from websockets.asyncio.server import ServerConnection

from tests.loopback import ThreadedServer
from tests.sentences import assert_raises_sentence
from tests.socketio_sessions import GAP, emit, recovering_node_server, session_for
from wsbdd.facade.session import Run
from wsbdd.io.client import frames_from
from wsbdd.match import where
from wsbdd.model.errors import ConnectionProblem, ExpectationFailed, FeatureMistake
from wsbdd.model.reconnection import ReconnectPolicy
from wsbdd.settings.config import Settings


@pytest.fixture(scope="module")
def run():
    policy = ReconnectPolicy(attempts=2, delay=0.05, max_delay=0.05)
    with Run.start(Settings(timeout=5.0, reconnection=policy)) as run:
        yield run


@pytest.fixture
def s(run):
    with run.session() as session:
        yield session


def test_a_client_connected_without_reconnection(s):
    s.connect("Alice")
    assert_raises_sentence(
        "Alice was not connected with reconnection, so it does not reconnect by itself; write "
        '"Given Alice is connected with reconnection", or set reconnection.enabled = true in '
        "the settings.",
        s.expect_reconnected,
        "Alice",
        0.1,
        kind=FeatureMistake,
    )


def test_a_connection_that_is_not_open_cannot_drop(s):
    s.connect("Alice")
    s.drop("Alice")
    assert_raises_sentence(
        "Alice's connection cannot drop: it is not open (the connection was lost without a "
        "closing handshake (1006)).",
        s.drop,
        "Alice",
        kind=ConnectionProblem,
    )


def test_a_connection_that_was_not_lost(s):
    s.connect("Alice", reconnection=True)
    assert_raises_sentence(
        "Alice did not reconnect within 200 ms: the connection was not lost (it is still open).",
        s.expect_reconnected,
        "Alice",
        0.2,
        kind=ExpectationFailed,
    )


def test_a_connection_a_step_closed(s):
    s.connect("Alice", reconnection=True)
    s.disconnect("Alice")
    assert_raises_sentence(
        "Alice did not reconnect: a step closed the connection (it closed with code 1000), "
        "and a client closed on purpose does not reconnect.",
        s.expect_reconnected,
        "Alice",
        0.2,
        kind=ExpectationFailed,
    )


def test_a_new_session_id_from_a_codec_that_has_none(s):
    s.connect("Alice", reconnection=True)
    s.drop("Alice")
    assert_raises_sentence(
        'Alice reconnected, but the websocket codec has no session id to compare; leave out "and '
        'has a new session id".',
        s.expect_reconnected,
        "Alice",
        5,
        new_sid=True,
        kind=FeatureMistake,
    )


def test_recovered_before_any_reconnection(s):
    s.connect("Alice", reconnection=True)
    assert_raises_sentence(
        "Alice has not reconnected, so nothing was recovered yet; wait for it first: "
        '"Then Alice reconnects within 5 seconds".',
        s.expect_recovered,
        "Alice",
        kind=FeatureMistake,
    )


def test_recovered_from_a_server_that_offers_no_recovery(s):
    s.connect("Alice", reconnection=True)
    s.drop("Alice")
    s.expect_reconnected("Alice", 5)
    assert_raises_sentence(
        "Alice's connection was not recovered: the server does not offer connection-state "
        "recovery, so it started a new session.",
        s.expect_recovered,
        "Alice",
        kind=ExpectationFailed,
    )


def test_a_send_while_reconnecting():
    slow = ReconnectPolicy(attempts=1, delay=3.0)
    with Run.start(Settings(reconnection=slow)) as run, run.session() as s:
        s.connect("Alice", reconnection=True)
        s.drop("Alice")
        assert_raises_sentence(
            "Alice cannot send while it reconnects (the connection was lost); wait for it "
            'first: "Then Alice reconnects within 5 seconds".',
            s.send,
            "Alice",
            "hi",
            kind=ConnectionProblem,
        )


def test_a_reconnection_still_under_way():
    slow = ReconnectPolicy(attempts=1, delay=3.0)
    with Run.start(Settings(reconnection=slow)) as run, run.session() as s:
        s.connect("Alice", reconnection=True)
        s.drop("Alice")
        assert_raises_sentence(
            "Alice did not reconnect within 100 ms: the connection was lost at HH:MM:SS.mmm "
            "(dropped without a closing handshake, 1006); no attempt has connected yet.",
            s.expect_reconnected,
            "Alice",
            0.1,
            kind=ExpectationFailed,
        )


class Echo(ThreadedServer):
    async def handler(self, ws: ServerConnection) -> None:
        async for message in ws:
            await ws.send(message)


def test_a_server_that_went_away(s):
    with Echo() as server:
        s.connect("Alice", f"ws://127.0.0.1:{server.port}", reconnection=True)
    refused = "the connection was refused (is the server running on that port?)"
    assert_raises_sentence(
        "Alice did not reconnect: the connection was lost at HH:MM:SS.mmm (closed with code "
        f"1001) and it gave up reconnecting after 2 attempts (the last: {refused}).",
        s.expect_reconnected,
        "Alice",
        5,
        kind=ExpectationFailed,
    )


def test_a_reconnection_with_failed_attempts_so_far():
    # Three tries 1 s apart against a server that is gone: the step asks right after the
    # first one failed, 0.9 s before the second.
    policy = ReconnectPolicy(attempts=3, delay=1.0, max_delay=1.0)
    with Run.start(Settings(reconnection=policy)) as run, run.session() as s:
        with Echo() as server:
            s.connect("Alice", f"ws://127.0.0.1:{server.port}", reconnection=True)
        client = s.client("Alice")

        async def first_failure() -> None:
            with frames_from([client]) as arrivals:
                deadline = time.monotonic() + 5
                while not (client.reconnects and client.reconnects[0].failed):
                    assert await arrivals.wait(deadline - time.monotonic())
                    arrivals.take()

        run.loop_thread.run(first_failure(), 10)
        refused = "the connection was refused (is the server running on that port?)"
        assert_raises_sentence(
            "Alice did not reconnect within 100 ms: the connection was lost at HH:MM:SS.mmm "
            f"(closed with code 1001); 1 attempt failed so far (the last: {refused}).",
            s.expect_reconnected,
            "Alice",
            0.1,
            kind=ExpectationFailed,
        )


def test_a_client_that_never_connected(s):
    s.connect("Alice", "ws://127.0.0.1:1", reconnection=True, require=False)
    assert_raises_sentence(
        "Alice did not reconnect: it never connected (the connection was refused (is the "
        "server running on that port?)).",
        s.expect_reconnected,
        "Alice",
        0.2,
        kind=ExpectationFailed,
    )


# -- against the Socket.IO test servers ------------------------------------------------------


@pytest.fixture(scope="module")
def node_recovery() -> Iterator[Any]:
    with recovering_node_server() as server:
        yield server


def test_a_server_disconnect_is_not_reconnected(socketio_app):
    with session_for(socketio_app) as s:
        s.connect("Alice", reconnection=True)
        emit(s, "Alice", "kick")
        assert_raises_sentence(
            "Alice did not reconnect: the server ended the session on purpose (io server "
            "disconnect), and a socket.io client does not reconnect after that.",
            s.expect_reconnected,
            "Alice",
            5,
            kind=ExpectationFailed,
        )


def test_a_server_without_recovery(python_socketio):
    with session_for(python_socketio) as s:
        s.connect("Alice", reconnection=True)
        emit(s, "Alice", "echo", "an event to resume from")
        s.receive("Alice", where('$.event is "echo"'))
        s.drop("Alice")
        s.expect_reconnected("Alice", 5)
        sid = s.client("Alice").reconnects[-1].sid
        assert_raises_sentence(
            "Alice's connection was not recovered: the server does not offer connection-state "
            f"recovery, so it started a new session (sid {sid}).",
            s.expect_recovered,
            "Alice",
            kind=ExpectationFailed,
        )


def test_recovery_needs_an_event_to_resume_from(node_recovery):
    with session_for(node_recovery) as s:
        s.connect("Alice", reconnection=True)
        s.drop("Alice")  # no event received yet: no offset to give
        s.expect_reconnected("Alice", 5, new_sid=True)
        sid = s.client("Alice").reconnects[-1].sid
        assert_raises_sentence(
            "Alice's connection was not recovered: the server offers recovery but started a "
            f"new session (sid {sid}); it recovers a session only within its "
            "maxDisconnectionDuration, and only once Alice has received an event to resume "
            "from.",
            s.expect_recovered,
            "Alice",
            kind=ExpectationFailed,
        )


def test_a_recovered_session_keeps_its_sid(node_recovery):
    # GAP: the server has surely kept the session when the client comes back.
    with session_for(node_recovery, GAP) as s:
        s.connect("Alice", reconnection=True)
        emit(s, "Alice", "echo", "an event to resume from")
        s.receive("Alice", where('$.event is "echo"'))
        sid = s.client("Alice").codec.session_id()
        s.drop("Alice")
        assert_raises_sentence(
            f'Alice reconnected with the same session id "{sid}", not a new one (the server '
            "recovered the session, which keeps its id).",
            s.expect_reconnected,
            "Alice",
            5,
            new_sid=True,
            kind=ExpectationFailed,
        )
        assert_raises_sentence(
            f"Alice's connection was recovered (sid {sid}): the server restored the session "
            "and replayed the events it missed.",
            s.expect_recovered,
            "Alice",
            False,
            kind=ExpectationFailed,
        )
