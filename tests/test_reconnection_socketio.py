"""Reconnection and connection-state recovery against the real Socket.IO test servers.

python-socketio (no recovery) and Node socket.io 4 (with and without its
``connectionStateRecovery``), from tests/socketio_apps, started on 127.0.0.1 port 0.
A dropped transport reconnects with a new sid; the server's ``io server disconnect``
does not reconnect (its sentence is pinned in test_sentences_reconnection.py); a Node
server with recovery gives the old session back (same sid) and replays the events
emitted during the gap, exactly once, without their offsets.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.socketio_sessions import (
    FAST,
    GAP,
    ask,
    chat,
    emit,
    lines,
    recovering_node_server,
    session_for,
)
from wsbdd.facade.session import Run, Session
from wsbdd.match import where
from wsbdd.model.errors import ExpectationFailed
from wsbdd.settings.config import Settings, SocketIOSettings


@pytest.fixture(scope="module")
def node_recovery() -> Iterator[Any]:
    with recovering_node_server() as server:
        yield server


@pytest.fixture
def s(socketio_app: Any) -> Iterator[Session]:
    with session_for(socketio_app) as session:
        yield session


def test_a_dropped_connection_reconnects_with_a_new_sid(s):
    s.connect("Alice", reconnection=True)
    old = ask(s, "Alice", "whoami")["sid"]
    s.drop("Alice")
    s.expect_reconnected("Alice", 5, new_sid=True)
    new = ask(s, "Alice", "whoami")
    assert new["sid"] != old and new["recovered"] is False
    s.expect_recovered("Alice", False)
    said = [line for line in lines(s) if "connection (" in line or "reconnected" in line]
    assert said == [
        "Alice  lost the connection (transport close)",
        f"Alice  reconnected (attempt 1, new sid {new['sid']})",
    ]


def test_the_server_dropping_the_transport_is_reconnected_to(s):
    s.connect("Alice", reconnection=True)
    emit(s, "Alice", "drop")
    s.expect_reconnected("Alice", 5, new_sid=True)
    assert ask(s, "Alice", "echo", "still here") == "still here"


def test_a_server_disconnect_is_not_reconnected(s):
    s.connect("Alice", reconnection=True)
    emit(s, "Alice", "kick")
    s.expect_disconnected("Alice")
    with pytest.raises(ExpectationFailed):
        s.expect_reconnected("Alice", 0.5)
    assert not s.client("Alice").reconnects and not s.client("Alice").reconnecting


def test_recovery_replays_the_events_missed_in_the_gap_once(node_recovery):
    with session_for(node_recovery, GAP) as s:
        s.connect("Alice", reconnection=True)
        s.connect("Bob")
        ask(s, "Alice", "join", {"room": "gap"})
        ask(s, "Bob", "join", {"room": "gap"})
        emit(s, "Bob", "chat", {"room": "gap", "text": "before"})
        before = chat(s, "Alice", "before")
        assert before["args"] == [{"room": "gap", "text": "before", "from": "tester"}]
        sid = ask(s, "Alice", "whoami")["sid"]
        s.drop("Alice")
        emit(s, "Bob", "chat", {"room": "gap", "text": "during"})  # Alice is not there
        s.expect_reconnected("Alice", 5)
        s.expect_recovered("Alice")
        during = chat(s, "Alice", "during")
        assert during["args"] == [{"room": "gap", "text": "during", "from": "tester"}]
        s.receive_nothing("Alice", where('$.event is "chat"'), 0.3)  # no event twice
        again = ask(s, "Alice", "whoami")
        assert again["sid"] == sid and again["recovered"] is True
        record = s.client("Alice").reconnects[-1]
        assert record.recovered and record.sid == sid
        assert f"Alice  reconnected (attempt 1, recovered, sid {sid})" in lines(s)


def test_offsets_are_taken_off_every_event_when_recovery_is_on(node_recovery):
    with session_for(node_recovery) as s:
        s.connect("Alice")
        emit(s, "Alice", "echo", "a", 2)
        echoed = s.receive("Alice", where('$.event is "echo"')).value
        assert echoed["args"] == ["a", 2]
        # An event asking for an acknowledgement carries no offset: nothing is taken off.
        emit(s, "Alice", "ask", {"question": "q"})
        question = s.receive("Alice", where('$.event is "question"')).value
        assert question["args"] == [{"question": "q"}] and "ack" in question


def test_a_client_given_its_own_codec_reconnects_with_the_same_auth(python_socketio):
    # As a step that connects with an auth of its own does: the client is handed a codec
    # object, not a way to make one; its reconnection must not fall back to the run's auth.
    from tests.socketio_sessions import FAST
    from wsbdd.codec import Emit, SocketIOCodec
    from wsbdd.expect import Receive
    from wsbdd.facade.reconnection import wait_reconnect
    from wsbdd.io.client import Client

    with session_for(python_socketio) as s:
        client = Client("Zed", s.pool.options, SocketIOCodec(auth={"name": "Zed"}))
        client.reconnection = FAST

        async def scenario() -> Any:
            await client.connect(python_socketio.url)
            await client.drop()
            record = await wait_reconnect(client, 5)
            assert record is not None and record.at is not None
            await client.send(Emit("whoami", wants_ack=True))
            outcome = await client.wait(Receive("Zed", where('$.type is "ack"'), 5))
            await client.close()
            return outcome.messages[0].value["args"][0]

        assert s.loop_thread.run(scenario(), 20)["name"] == "Zed"


@pytest.mark.parametrize("transport", ["polling", "polling-only"])
def test_a_client_that_began_on_long_polling_reconnects_the_same_way(socketio_app, transport):
    """Reconnection opens the connection again as the first time: on long-polling, then
    upgraded to a WebSocket ("polling") or not ("polling-only")."""
    settings = Settings(
        url=socketio_app.url,
        codec="socket.io",
        timeout=5.0,
        reconnection=FAST,
        socketio=SocketIOSettings(auth={"name": "tester"}, transport=transport),
    )
    with Run.start(settings) as run, run.session() as s:
        s.connect("Alice", reconnection=True)
        old = ask(s, "Alice", "whoami")["sid"]
        s.drop("Alice")
        s.expect_reconnected("Alice", 5, new_sid=True)
        assert ask(s, "Alice", "whoami")["sid"] != old
        outcome = s.client("Alice").outcome
        assert outcome is not None
        if transport == "polling-only":  # (with "polling" the upgrade may still be under way)
            assert outcome.transport == "polling"
        assert ask(s, "Alice", "echo", "still here") == "still here"
