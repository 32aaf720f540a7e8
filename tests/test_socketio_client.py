"""The Socket.IO codec inside wsbdd's client, against a scripted Engine.IO 4 server.

The server is a real WebSocket server on loopback that writes the frames a
Socket.IO 5 server writes, and lets each test choose what it does wrong (never
ping, refuse a namespace, disconnect the client).  It checks what the codec seam
added to the client: the address the codec builds, labels on sent frames,
protocol messages claimed on arrival, the timer failing the connection, and the
app-level close reason.  tests/test_socketio_e2e.py runs python-socketio itself.
"""

from __future__ import annotations

import asyncio
import json
import threading

import pytest
from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed

from tests.loopback import ThreadedServer
from wsbdd.codec import Emit, JoinNamespace
from wsbdd.facade.session import Run
from wsbdd.match import where
from wsbdd.model.errors import ConnectionProblem
from wsbdd.settings.config import Settings, SocketIOSettings


class EngineServer(ThreadedServer):
    """Speaks Engine.IO 4 / Socket.IO 5 on ``/socket.io/``, as far as the tests need.

    ``ping_every``: seconds between its pings (None: it never pings).  Namespace
    ``/admin`` wants auth ``{"password": "secret"}``.  Events: ``echo`` (acked with its
    args when asked, and emitted back), ``kick`` (the server disconnects ``/``), ``bad`` (the
    server answers with a malformed packet).
    """

    def __init__(self, ping_every: float | None = 0.05, ping_interval_ms: int = 25000) -> None:
        super().__init__()
        self.ping_every = ping_every
        self.ping_interval_ms = ping_interval_ms
        self.paths: list[str] = []
        self.received: list[str | bytes] = []
        self.pongs = 0
        self.enough_pongs = threading.Event()
        self.left = threading.Event()

    async def pinging(self, ws: ServerConnection) -> None:
        assert self.ping_every is not None
        while True:
            await asyncio.sleep(self.ping_every)  # the server's own pace, not a test's wait
            await ws.send("2")

    async def handler(self, ws: ServerConnection) -> None:
        self.paths.append(ws.request.path)
        opening = {
            "sid": "eio-1",
            "upgrades": [],
            "pingInterval": self.ping_interval_ms,
            "pingTimeout": 100,
            "maxPayload": 1000000,
        }
        await ws.send("0" + json.dumps(opening))
        pinger = asyncio.create_task(self.pinging(ws)) if self.ping_every else None
        try:
            async for frame in ws:
                self.received.append(frame)
                await self.answer(ws, frame)
        except ConnectionClosed:
            pass
        finally:
            if pinger is not None:
                pinger.cancel()

    async def answer(self, ws: ServerConnection, frame: str | bytes) -> None:
        if frame == "3":
            self.pongs += 1
            if self.pongs >= 3:
                self.enough_pongs.set()
        elif frame == "40" or frame.startswith("40{"):
            await ws.send('40{"sid":"root-sid"}')
        elif isinstance(frame, str) and frame.startswith("40/admin,"):
            auth = json.loads(frame[len("40/admin,") :] or "null")
            if auth == {"password": "secret"}:
                await ws.send('40/admin,{"sid":"admin-sid"}')
            else:
                await ws.send('44/admin,{"message":"authentication failed"}')
        elif frame == "41":
            self.left.set()
        elif isinstance(frame, str) and frame.startswith("42"):
            body = frame[2:]
            ack = ""
            while body[:1].isdigit():
                ack, body = ack + body[0], body[1:]
            event, *args = json.loads(body)
            if event == "echo":
                if ack:
                    await ws.send(f"43{ack}{json.dumps(args)}")
                await ws.send("42" + json.dumps(["echo", *args]))
            elif event == "kick":
                await ws.send("41")
            elif event == "bad":
                await ws.send('42{"no":"name"}')  # an event with no name: malformed


@pytest.fixture
def server():
    with EngineServer() as running:
        yield running


def session_for(server: ThreadedServer, **socketio):
    settings = Settings(
        url=f"http://127.0.0.1:{server.port}",
        timeout=5.0,
        codec="socket.io",
        socketio=SocketIOSettings(**socketio),
    )
    run = Run.start(settings)
    return run, run.session()


def test_connects_on_the_engine_io_path_and_answers_pings_between_steps(server):
    run, session = session_for(server)
    with run, session:
        outcome = session.connect("Alice")
        assert outcome.opened_at is not None
        assert session.client("Alice").connected
        assert server.paths == ["/socket.io/?EIO=4&transport=websocket"]
        assert server.enough_pongs.wait(10), f"only {server.pongs} pongs"
        session.receive_nothing("Alice", None, 0.05)  # the pings were chatter
        assert len(session.client("Alice").inbox) == 0
    assert server.left.wait(10)  # closing said 41 first
    assert session.client("Alice").outcome.app_reason == "io client disconnect"


def test_an_emit_is_labelled_and_its_ack_is_a_message(server):
    run, session = session_for(server)
    with run, session:
        session.connect("Alice")
        emit = Emit("echo", ({"text": "hi"},), wants_ack=True)
        session.send("Alice", emit)
        ack = session.receive("Alice", where('$.type is "ack" and $.event is "echo"'))
        assert ack.value["args"] == [{"text": "hi"}]
        assert ack.label == 'ack 0 {"text": "hi"}'
        event = session.receive("Alice", where('$.event is "echo"'))
        assert event.value["args"] == [{"text": "hi"}]
        sent = session.client("Alice").sent
        assert [(s.payload, s.label) for s in sent] == [
            ('420["echo",{"text":"hi"}]', 'emit echo {"text": "hi"} (ack 0)')
        ]


def test_namespace_news_is_claimed_on_arrival(server):
    run, session = session_for(server, namespaces=("/", "/admin"), auth={"password": "secret"})
    with run, session:
        session.connect("Alice")
        alice = session.client("Alice")
        session.send("Alice", JoinNamespace("/other-admin"))  # unanswered: nothing comes
        session.send("Alice", JoinNamespace("/admin", {"password": "wrong"}))
        session.receive_nothing("Alice", None, 0.2)  # generic steps never see them
        news = [m for m in alice.inbox.messages if m.protocol]
        assert [m.value["type"] for m in news] == ["connect", "connect_error"]
        assert news[1].value["message"] == "authentication failed"
        assert session.strict_problems() is None
        assert alice.connected  # a refusal after the handshake is news, not a failure
        # the label never shows the auth
        assert [s.label for s in alice.sent] == ["connect /other-admin", "connect /admin"]


def test_a_refused_namespace_fails_the_connect_in_one_sentence(server):
    run, session = session_for(server, namespaces=("/", "/admin"), auth={"password": "wrong"})
    with run, session:
        with pytest.raises(ConnectionProblem) as failed:
            session.connect("Mallory")
        assert str(failed.value) == (
            f"Mallory could not connect to ws://127.0.0.1:{server.port}: the server refused "
            'namespace "/admin": authentication failed.'
        )


def test_the_server_disconnecting_the_client_ends_the_connection_with_its_reason(server):
    run, session = session_for(server)
    with run, session:
        session.connect("Alice")
        session.send("Alice", Emit("kick"))
        outcome = session.expect_disconnected("Alice")
        assert outcome.app_reason == "io server disconnect"
        assert outcome.describe_close() == "closed with code 1000 (io server disconnect)"
        news = [m for m in session.client("Alice").inbox.messages if m.protocol]
        assert [m.value for m in news] == [
            {"type": "disconnect", "namespace": "/", "reason": "io server disconnect"}
        ]


def test_a_server_that_stops_pinging_is_noticed():
    with EngineServer(ping_every=None, ping_interval_ms=200) as silent:
        run, session = session_for(silent)
        with run, session:
            session.connect("Alice")
            outcome = session.expect_disconnected("Alice", timeout=5)
            assert outcome.app_reason == "ping timeout"
            assert outcome.error == (
                "the server sent no ping for 0.3 s (its ping interval 0.2 s + ping timeout 0.1 s)"
            )
            with pytest.raises(ConnectionProblem) as gone:
                session.send("Alice", Emit("echo"))
            assert str(gone.value) == (
                "Alice can no longer send: the connection closed with code 1000 (ping timeout): "
                "the server sent no ping for 0.3 s (its ping interval 0.2 s + ping timeout 0.1 s)."
            )


def test_a_malformed_packet_ends_the_connection_and_says_which():
    with EngineServer() as server:
        run, session = session_for(server)
        with run, session:
            session.connect("Alice")
            session.send("Alice", Emit("bad"))
            outcome = session.expect_disconnected("Alice")
            assert outcome.app_reason == "parse error"
            assert session.client("Alice").how_it_ended() == (
                "closed with code 1000 (parse error): the server sent a malformed Socket.IO "
                'packet "42{\\"no\\":\\"name\\"}": its event has no name (a JSON array starting '
                "with the event's name)"
            )
