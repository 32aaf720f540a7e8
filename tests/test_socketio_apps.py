"""The two Socket.IO test servers behave as tests/socketio_apps/README.md says, both the same.

Checked with python-socketio's official ``AsyncClient`` (and, for what it hides, a plain
WebSocket speaking the frames), so a wsbdd test that fails against these servers points at
wsbdd, not at the servers.  Every test that takes ``socketio_app`` runs against both.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import socketio
import socketio_servers
from demo_helpers import run_async
from socketio_servers import (
    APPS,
    SocketIOServerError,
    node_socketio_server,
    python_socketio_server,
)
from websockets.asyncio.client import connect as ws_connect
from websockets.exceptions import ConnectionClosed

DEADLINE = 10.0  # seconds: any wait for something that should come
QUIET = 0.3  # seconds: a window in which nothing should come


class Client:
    """An official AsyncClient whose every event (any namespace) lands in one queue."""

    def __init__(self, namespaces: tuple[str, ...] = ("/",)) -> None:
        self.sio = socketio.AsyncClient(reconnection=False, handle_sigint=False)
        self.events: asyncio.Queue[tuple[str, str, tuple[Any, ...]]] = asyncio.Queue()
        self.refusals: dict[str, Any] = {}
        self.disconnected: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self.answer: Any = None  # what this client acks a "question" with
        for namespace in namespaces:
            self._listen(namespace)

    def _listen(self, namespace: str) -> None:
        async def anything(event: str, *args: Any) -> None:
            await self.events.put((namespace, event, args))

        async def question(*args: Any) -> Any:
            await self.events.put((namespace, "question", args))
            return self.answer

        async def connect_error(data: Any) -> None:
            self.refusals[namespace] = data

        async def disconnect(reason: str = "") -> None:
            if namespace == "/" and not self.disconnected.done():
                self.disconnected.set_result(reason)

        self.sio.on("*", anything, namespace=namespace)
        self.sio.on("question", question, namespace=namespace)
        self.sio.on("connect_error", connect_error, namespace=namespace)
        self.sio.on("disconnect", disconnect, namespace=namespace)

    async def next(self, event: str) -> tuple[Any, ...]:
        """The arguments of the next event, which must be ``event``."""
        _, name, args = await asyncio.wait_for(self.events.get(), DEADLINE)
        assert name == event, (name, args)
        return args

    async def nothing(self) -> None:
        with contextlib.suppress(TimeoutError):
            got = await asyncio.wait_for(self.events.get(), QUIET)
            raise AssertionError(f"nothing should have come, got {got}")


@contextlib.asynccontextmanager
async def client(
    url: str,
    *,
    auth: Any = None,
    namespaces: tuple[str, ...] = ("/",),
    transports: tuple[str, ...] = ("websocket",),
) -> AsyncIterator[Client]:
    you = Client(namespaces)
    await you.sio.connect(
        url,
        auth=auth,
        namespaces=list(namespaces),
        transports=list(transports),
        wait_timeout=DEADLINE,
        retry=False,
    )
    try:
        yield you
    finally:
        await you.sio.disconnect()


def room() -> str:
    """A room of this test's own (the servers live for the whole session)."""
    return f"room-{uuid.uuid4().hex[:8]}"


@run_async
async def test_room_messages_reach_the_other_members_only(socketio_app):
    lobby = room()
    async with (
        client(socketio_app.url, auth={"name": "Alice"}) as alice,
        client(socketio_app.url, auth={"name": "Bob"}) as bob,
        client(socketio_app.url) as carol,
    ):
        assert await alice.sio.call("join", {"room": lobby}) == {"ok": True, "room": lobby}
        assert await bob.sio.call("join", {"room": lobby}) == {"ok": True, "room": lobby}
        await carol.sio.emit("join", {"room": room()})  # joins without asking for an ack
        ack = await alice.sio.call("chat", {"room": lobby, "text": "hi"})
        assert ack == {"ok": True}
        assert await bob.next("chat") == ({"room": lobby, "text": "hi", "from": "Alice"},)
        await alice.nothing()  # the sender gets no copy
        # Sending to a room needs no membership; the sender's name is its sid without one.
        await carol.sio.emit("chat", {"room": lobby, "text": "hello"})
        expected = ({"room": lobby, "text": "hello", "from": carol.sio.get_sid("/")},)
        assert await alice.next("chat") == expected
        assert await bob.next("chat") == expected
        await carol.nothing()  # neither its own chat nor the lobby's reached Carol


@run_async
async def test_echo_sends_back_and_acks_every_argument(socketio_app):
    async with client(socketio_app.url) as alice:
        args = ({"text": "hi", "n": [1, 2]}, "b", 3, None, True)
        assert await alice.sio.call("echo", args) == args
        assert await alice.next("echo") == args
        assert await alice.sio.call("echo", "one") == "one"
        assert await alice.next("echo") == ("one",)
        await alice.sio.emit("echo")
        assert await alice.next("echo") == ()


@run_async
async def test_binary_comes_back_with_attachments(socketio_app):
    async with client(socketio_app.url) as alice:
        ack = await alice.sio.call("binary", ({"blob": b"\x00\xff", "list": [b"ab"]}, b"raw"))
        assert ack == {"ok": True, "attachments": 3}
        assert await alice.next("binary") == (
            {"data": b"\x00\x01\x02\xff"},
            {"blob": b"\x00\xff", "list": [b"ab"]},
            b"raw",
        )


@run_async
async def test_ask_wants_an_ack_and_says_what_it_was(socketio_app):
    async with client(socketio_app.url) as alice:
        alice.answer = ("blue", 42)
        assert await alice.sio.call("ask", {"question": "colour?"}) == {"ok": True}
        assert await alice.next("question") == ({"question": "colour?"},)
        assert await alice.next("answered") == ("blue", 42)


@contextlib.asynccontextmanager
async def bare(url: str) -> AsyncIterator[Any]:
    """A bare WebSocket client, connected to "/" by hand (to see the frames themselves)."""
    async with ws_connect(f"{url}/socket.io/?EIO=4&transport=websocket") as ws:
        await _open_packet(ws)
        await ws.send("40")
        assert (await asyncio.wait_for(ws.recv(), DEADLINE)).startswith("40{")
        yield ws


@run_async
async def test_kick_disconnects_the_client_as_the_server(socketio_app):
    async with client(socketio_app.url) as alice:
        assert await alice.sio.call("kick") == {"ok": True}
        reason = await asyncio.wait_for(alice.disconnected, DEADLINE)
        # python-socketio's word for what socket.io's clients call "io server disconnect".
        assert reason == socketio.AsyncClient.reason.SERVER_DISCONNECT
    async with bare(socketio_app.ws_url) as ws:
        await ws.send('42["kick"]')
        assert await asyncio.wait_for(ws.recv(), DEADLINE) == "41"  # the namespace's DISCONNECT


@run_async
async def test_drop_closes_the_transport_without_a_disconnect(socketio_app):
    async with bare(socketio_app.ws_url) as ws:
        await ws.send('42["drop"]')
        # Neither a DISCONNECT ("41") nor Engine.IO's CLOSE ("1"): the transport just closes.
        with pytest.raises(ConnectionClosed):
            frame = await asyncio.wait_for(ws.recv(), DEADLINE)
            raise AssertionError(f"no frame should have come before the close, got {frame!r}")


@run_async
async def test_whoami_acks_the_sid_and_the_name(socketio_app):
    async with (
        client(socketio_app.url, auth={"name": "Alice"}) as alice,
        client(socketio_app.url) as nobody,
    ):
        assert await alice.sio.call("whoami") == {
            "sid": alice.sio.get_sid("/"),
            "name": "Alice",
            "recovered": False,
        }
        assert (await nobody.sio.call("whoami"))["name"] is None


@run_async
async def test_admin_wants_the_right_credentials(socketio_app):
    wrong = Client(("/admin",))
    with pytest.raises(socketio.exceptions.ConnectionError):
        await wrong.sio.connect(
            socketio_app.url,
            auth={"username": "admin", "password": "wrong"},
            namespaces=["/admin"],
            transports=["websocket"],
            wait_timeout=DEADLINE,
            retry=False,
        )
    await wrong.sio.disconnect()
    assert wrong.refusals["/admin"] == {"message": "authentication failed"}

    async with client(
        socketio_app.url,
        auth={"username": "admin", "password": "secret"},
        namespaces=("/admin",),
    ) as admin:
        ack = await admin.sio.call("whoami", namespace="/admin")
        assert ack["name"] == "admin" and ack["sid"] == admin.sio.get_sid("/admin")
        assert await admin.sio.call("echo", "x", namespace="/admin") == "x"


@run_async
async def test_fanout_ticks_everyone_count_times(socketio_app):
    async with client(socketio_app.url) as alice, client(socketio_app.url) as bob:
        assert await alice.sio.call("fanout", {"count": 3}) == {"ok": True, "sent": 3}
        for each in (alice, bob):
            assert [await each.next("tick") for _ in range(3)] == [
                ({"n": 1},),
                ({"n": 2},),
                ({"n": 3},),
            ]


# --- options: one server per kind and option set, started for its test --------------------

SERVERS = {"python": python_socketio_server, "node": node_socketio_server}


def start(kind: str, **options: Any) -> contextlib.AbstractContextManager[Any]:
    try:
        return SERVERS[kind](**options)
    except SocketIOServerError as error:  # pragma: no cover - Node missing
        pytest.fail(str(error), pytrace=False)


@pytest.mark.parametrize("kind", SERVERS)
@run_async
async def test_count_says_how_many_clients_the_namespace_has(kind):
    with start(kind) as server:  # a server of its own: no other test's clients
        async with client(server.url) as alice, client(server.url) as bob:
            assert await alice.sio.call("count") == {"clients": 2}
            async with client(server.url):  # Carol
                assert await bob.sio.call("count") == {"clients": 3}


@pytest.mark.parametrize("kind", SERVERS)
@run_async
async def test_polling_only_refuses_websocket(kind):
    # A short interval: python-engineio answers a polling client's CLOSE but leaves that
    # client's pending GET open until its ping interval ends, and python-socketio's client
    # waits for that GET when it disconnects (25 s at the default interval).
    with start(kind, polling_only=True, ping_interval=1000, ping_timeout=1000) as server:
        async with client(server.url, transports=("polling", "websocket")) as alice:
            assert await alice.sio.call("echo", "over polling") == "over polling"
            assert alice.sio.transport() == "polling"  # never upgraded
        refused = Client()
        with pytest.raises(socketio.exceptions.ConnectionError):
            await refused.sio.connect(
                server.url, transports=["websocket"], wait_timeout=DEADLINE, retry=False
            )
        await refused.sio.disconnect()


async def _open_packet(ws: Any) -> dict[str, Any]:
    frame = await asyncio.wait_for(ws.recv(), DEADLINE)
    assert frame[0] == "0", frame
    return json.loads(frame[1:])


@pytest.mark.parametrize("kind", SERVERS)
@run_async
async def test_short_pings_are_announced_and_enforced(kind):
    # Whole seconds for the interval: python-engineio announces it in seconds.
    with start(kind, ping_interval=1000, ping_timeout=300) as server:
        url = f"{server.ws_url}/socket.io/?EIO=4&transport=websocket"
        async with ws_connect(url) as ws:  # a client that never answers a ping
            opened = await _open_packet(ws)
            assert (opened["pingInterval"], opened["pingTimeout"]) == (1000, 300)
            frames = []
            with contextlib.suppress(Exception):
                async with asyncio.timeout(DEADLINE):
                    async for frame in ws:
                        frames.append(frame)
            assert ws.close_code is not None, "the server kept a client that never ponged"
            assert frames and frames[0] == "2", frames  # it pinged first


@pytest.mark.parametrize("recovery", [False, True])
@run_async
async def test_node_offers_recovery_only_when_asked(recovery):
    with start("node", recovery=recovery) as server:
        url = f"{server.ws_url}/socket.io/?EIO=4&transport=websocket"
        async with ws_connect(url) as ws:
            await _open_packet(ws)
            await ws.send("40")
            connected = await asyncio.wait_for(ws.recv(), DEADLINE)
            assert connected.startswith("40{"), connected
            assert ("pid" in json.loads(connected[2:])) is recovery


def test_the_python_server_refuses_recovery_in_one_sentence():
    done = subprocess.run(
        [sys.executable, str(APPS / "python_app.py"), "--recovery"],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == (
        "python-socketio offers no connection-state recovery; use the Node server "
        "(node/server.js --recovery) for it.\n"
    )


@run_async
async def test_the_v2_server_speaks_engine_io_3(node_socketio_v2):
    async with httpx.AsyncClient(timeout=DEADLINE) as http:
        answer = await http.get(f"{node_socketio_v2.url}/socket.io/?EIO=3&transport=polling")
    # Engine.IO 3's polling payload: "<length>:<packet>", the open packet first.
    length, _, packet = answer.text.partition(":")
    assert length.isdigit() and packet.startswith("0{"), answer.text
    assert "pingInterval" in json.loads(packet[1 : int(length)])


def test_missing_npm_packages_are_one_sentence_naming_the_test_command(tmp_path, monkeypatch):
    monkeypatch.setattr(socketio_servers, "NODE_APP", tmp_path)
    with pytest.raises(SocketIOServerError) as raised:
        with node_socketio_server():
            pass
    assert str(raised.value) == (
        "The npm package socket.io is not installed in tests/socketio_apps/node: run the "
        "README's test command (it runs `npm ci --prefix tests/socketio_apps/node`)."
    )


def test_a_server_that_dies_at_start_says_why(monkeypatch, tmp_path):
    monkeypatch.setattr(socketio_servers, "APPS", tmp_path)
    (tmp_path / "python_app.py").write_text("import sys\nsys.exit('no luck: port in use')\n")
    with pytest.raises(SocketIOServerError) as raised:
        with python_socketio_server():
            pass
    assert str(raised.value) == (
        "The python-socketio test server did not start (it exited with code 1); "
        "it said: no luck: port in use"
    )
