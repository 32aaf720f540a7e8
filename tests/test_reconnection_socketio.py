"""Reconnection and connection-state recovery against the real Socket.IO test servers.

python-socketio (no recovery) and Node socket.io 4 (with and without its
``connectionStateRecovery``), from tests/socketio_apps, started on 127.0.0.1 port 0.
A dropped transport reconnects with a new sid; the server's ``io server disconnect``
does not reconnect; a Node server with recovery gives the old session back (same sid)
and replays the events emitted during the gap, exactly once, without their offsets.
The sentences reached only against Socket.IO servers are pinned here too.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.sentences import assert_raises_sentence
from wsbdd.codec import Emit
from wsbdd.facade.session import Run, Session
from wsbdd.match import where
from wsbdd.model.errors import ExpectationFailed
from wsbdd.model.reconnection import ReconnectPolicy
from wsbdd.report.text import transcript_text
from wsbdd.settings.config import Settings, SocketIOSettings

TIMES = re.compile(r"^\+\S+ \S+\s+\d\d:\d\d:\d\d\.\d{3}  ")
FAST = ReconnectPolicy(attempts=3, delay=0.05, max_delay=0.2)
# Slow enough that what the test does right after a drop happens during the gap.
GAP = ReconnectPolicy(attempts=3, delay=0.6, max_delay=1.0)


@pytest.fixture(scope="module")
def node_recovery() -> Iterator[Any]:
    """Node socket.io 4 with connection-state recovery on (a server of this module's own)."""
    from socketio_servers import SocketIOServerError, node_socketio_server

    try:
        with node_socketio_server(recovery=True) as server:
            yield server
    except SocketIOServerError as error:
        pytest.fail(str(error), pytrace=False)


@contextlib.contextmanager
def session_for(server: Any, policy: ReconnectPolicy = FAST) -> Iterator[Session]:
    settings = Settings(
        url=server.url,
        codec="socket.io",
        timeout=5.0,
        reconnection=policy,
        socketio=SocketIOSettings(auth={"name": "tester"}),
    )
    with Run.start(settings) as run, run.session() as s:
        yield s


@pytest.fixture
def s(socketio_app: Any) -> Iterator[Session]:
    with session_for(socketio_app) as session:
        yield session


def lines(s: Session) -> list[str]:
    return [TIMES.sub("", line).strip() for line in transcript_text(s.transcript()).splitlines()]


def emit(s: Session, name: str, event: str, *args: Any) -> None:
    s.send(name, Emit(event, args))


def ask(s: Session, name: str, event: str, *args: Any) -> Any:
    """Emit asking for an acknowledgement; its first argument."""
    s.send(name, Emit(event, args, wants_ack=True))
    ack = s.receive(name, where(f'$.type is "ack" and $.event is "{event}"'))
    return ack.value["args"][0]


def chat(s: Session, name: str, text: str) -> Any:
    """Wait for the chat event ``text``; its value."""
    condition = f'$.type is "event" and $.event is "chat" and $.args[0].text is "{text}"'
    return s.receive(name, where(condition)).value


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
    assert_raises_sentence(
        "Alice did not reconnect: the server ended the session on purpose (io server "
        "disconnect), and a socket.io client does not reconnect after that.",
        s.expect_reconnected,
        "Alice",
        5,
        kind=ExpectationFailed,
    )
    assert not s.client("Alice").reconnects


def test_a_server_without_recovery_says_so(python_socketio):
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
        # After a recovery the session id is the same: "a new session id" fails, saying why.
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
