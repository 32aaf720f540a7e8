"""The Socket.IO codec end to end, against the real servers of tests/socketio_apps/.

python-socketio on uvicorn and Node's socket.io 4 (the ``socketio_app`` fixture runs each
test against both), through wsbdd's Session with the codec's intents: what the
Socket.IO steps will do, without their words.  The servers' behaviour is documented
in tests/socketio_apps/README.md.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from socketio_servers import node_socketio_server, python_socketio_server

from wsbdd.codec import Acknowledge, Emit, JoinNamespace
from wsbdd.facade.session import Run, Session
from wsbdd.match import where
from wsbdd.model.errors import ConnectionProblem
from wsbdd.settings.config import Settings, SocketIOSettings


def start(url: str, **socketio: Any) -> tuple[Run, Session]:
    settings = Settings(
        url=url, timeout=5.0, codec="socket.io", socketio=SocketIOSettings(**socketio)
    )
    run = Run.start(settings)
    return run, run.session()


def connect_as(session: Session, name: str, **codec: Any) -> None:
    """Connect ``name`` with a codec of its own (its auth, its namespaces), as the Socket.IO
    steps do with :meth:`Settings.codec_for`."""
    pool = session.pool
    kept = pool.options
    pool.options = dataclasses.replace(kept, codec=session.settings.codec_for(**codec))
    try:
        session.connect(name)
    finally:
        pool.options = kept


def ack_of(session: Session, name: str, emit: Emit) -> Any:
    """The arguments of the server's acknowledgement of ``emit``."""
    message = session.receive(name, where(f'$.type is "ack" and $.ack is {emit.ack_id}'))
    assert message.value["event"] == emit.event
    return message.value["args"]


def test_rooms_events_and_acknowledgements(socketio_app):
    run, session = start(socketio_app.url)
    with run, session:
        connect_as(session, "Alice", auth={"name": "Alice"})
        connect_as(session, "Bob", auth={"name": "Bob"})
        connect_as(session, "Carol", auth={"name": "Carol"})
        for name in ("Alice", "Bob"):
            join = Emit("join", ({"room": "e2e-lobby"},), wants_ack=True)
            session.send(name, join)
            assert ack_of(session, name, join) == [{"ok": True, "room": "e2e-lobby"}]
        chat = Emit("chat", ({"room": "e2e-lobby", "text": "hi"},), wants_ack=True)
        session.send("Alice", chat)
        assert ack_of(session, "Alice", chat) == [{"ok": True}]
        heard = session.receive("Bob", where('$.event is "chat"'))
        assert heard.value["args"] == [{"room": "e2e-lobby", "text": "hi", "from": "Alice"}]
        assert heard.label == 'chat {"room": "e2e-lobby", "text": "hi", "from": "Alice"}'
        session.receive_nothing("Carol", where('$.event is "chat"'), 0.3)
        assert session.strict_problems() is None  # no chatter left unread


def test_several_arguments_binary_both_ways_and_the_servers_ack_request(socketio_app):
    run, session = start(socketio_app.url, auth={"name": "Alice"})
    with run, session:
        session.connect("Alice")
        echo = Emit("echo", ("a", 2, None, {"k": [1]}), wants_ack=True)
        session.send("Alice", echo)
        assert ack_of(session, "Alice", echo) == ["a", 2, None, {"k": [1]}]
        back = session.receive("Alice", where('$.event is "echo"'))
        assert back.value["args"] == ["a", 2, None, {"k": [1]}]

        upload = Emit("binary", ({"name": "x", "blob": b"\x00\xff"}, b"\x01"), wants_ack=True)
        session.send("Alice", upload)
        assert ack_of(session, "Alice", upload) == [{"ok": True, "attachments": 2}]
        binary = session.receive("Alice", where('$.event is "binary"'))
        assert binary.value["args"] == [
            {"data": b"\x00\x01\x02\xff"},
            {"name": "x", "blob": b"\x00\xff"},
            b"\x01",
        ]
        assert binary.raw.startswith("45")  # the packet with its placeholders, not the bytes

        session.send("Alice", Emit("ask", ({"question": "2+2?"},)))
        question = session.receive("Alice", where('$.event is "question"'))
        assert question.value["args"] == [{"question": "2+2?"}]
        session.send("Alice", Acknowledge(question.value["ack"], (4, "four")))
        answered = session.receive("Alice", where('$.event is "answered"'))
        assert answered.value["args"] == [4, "four"]


def test_the_admin_namespace_wants_credentials(socketio_app):
    run, session = start(socketio_app.url, namespaces=("/", "/admin"))
    with run, session:
        with pytest.raises(ConnectionProblem) as refused:
            connect_as(session, "Mallory", auth={"username": "admin", "password": "wrong"})
        assert str(refused.value) == (
            f"Mallory could not connect to {socketio_app.ws_url}: the server refused namespace "
            '"/admin": authentication failed.'
        )
        connect_as(session, "Admin", auth={"username": "admin", "password": "secret"})
        whoami = Emit("whoami", namespace="/admin", wants_ack=True)
        session.send("Admin", whoami)
        args = session.receive("Admin", where('$.type is "ack"')).value["args"]
        assert args[0]["name"] == "admin"
        assert session.client("Admin").codec.namespace("/admin").sid == args[0]["sid"]


def test_joining_a_namespace_later_is_news_not_a_failure(socketio_app):
    run, session = start(socketio_app.url, auth={"name": "Alice"})
    with run, session:
        session.connect("Alice")
        session.send("Alice", JoinNamespace("/admin", {"username": "admin", "password": "no"}))
        session.receive_nothing("Alice", None, 0.3)  # protocol news: not a message
        alice = session.client("Alice")
        news = [m.value for m in alice.inbox.messages if m.protocol]
        assert news == [
            {
                "type": "connect_error",
                "namespace": "/admin",
                "message": "authentication failed",
                "data": None,
            }
        ]
        assert alice.connected


def test_the_server_disconnecting_the_client(socketio_app):
    run, session = start(socketio_app.url, auth={"name": "Alice"})
    with run, session:
        session.connect("Alice")
        session.send("Alice", Emit("kick"))
        outcome = session.expect_disconnected("Alice")
        assert outcome.app_reason == "io server disconnect"


def test_pings_are_answered_for_longer_than_the_servers_timeout():
    with python_socketio_server(ping_interval=1000, ping_timeout=500) as server:
        run, session = start(server.url, auth={"name": "Alice"})
        with run, session:
            session.connect("Alice")
            # Three ping intervals, longer than interval + timeout: unanswered pings
            # would have dropped the client by then.
            session.receive_nothing("Alice", None, 3.2)
            assert session.client("Alice").connected
            whoami = Emit("whoami", wants_ack=True)
            session.send("Alice", whoami)
            assert ack_of(session, "Alice", whoami)[0]["name"] == "Alice"


def test_a_socket_io_2_server_is_refused_in_one_sentence(node_socketio_v2):
    run, session = start(node_socketio_v2.url)
    with run, session:
        with pytest.raises(ConnectionProblem) as refused:
            session.connect("Alice")
        assert str(refused.value) == (
            f"Alice could not connect to {node_socketio_v2.ws_url}: the server at "
            f"{node_socketio_v2.ws_url} speaks Engine.IO 3 (Socket.IO 2), which wsbdd does not "
            "support; upgrade the server to Socket.IO 3 or later."
        )


@pytest.mark.parametrize(
    ("start_server", "answer"),
    [
        (
            python_socketio_server,
            "the server rejected the handshake with HTTP 403 Forbidden; a Socket.IO server "
            "answers so when it serves long-polling only (then set [socketio] transport = "
            '"polling-only") or refuses the connection itself',
        ),
        (
            node_socketio_server,
            'the server rejected the handshake with HTTP 400 Bad Request ("{"code":0,"message":'
            '"Transport unknown"}"); the server does not take the WebSocket transport; if it '
            'serves long-polling only, set [socketio] transport = "polling-only"',
        ),
    ],
    ids=["python", "node"],
)
def test_a_server_for_long_polling_only_says_what_to_set(start_server, answer):
    with start_server(polling_only=True) as server:
        run, session = start(server.url)
        with run, session:
            with pytest.raises(ConnectionProblem) as refused:
                session.connect("Alice")
            assert str(refused.value) == f"Alice could not connect to {server.ws_url}: {answer}."
