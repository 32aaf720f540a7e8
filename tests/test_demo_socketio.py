"""The demo's chat over Socket.IO, checked with python-socketio's own client (not wsbdd).

This pins what docs/demo-protocol.md promises for the Socket.IO chat, independently
of wsbdd's codec and steps, so a wsbdd failure against the demo is never the demo's.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest
import socketio

from wsbdd.demo import DemoServer

DEADLINE = 10.0


class Heard:
    """The events one client heard, in order, waited on with a deadline."""

    def __init__(self, client: socketio.AsyncClient, *events: str, namespace: str = "/") -> None:
        self.queue: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
        for event in events:
            client.on(event, self._taker(event), namespace=namespace)

    def _taker(self, event: str) -> Callable[..., None]:
        """One argument is heard as itself, several as a list."""
        return lambda *args: self.queue.put_nowait((event, args[0] if len(args) == 1 else [*args]))

    async def next(self) -> tuple[str, Any]:
        return await asyncio.wait_for(self.queue.get(), DEADLINE)


@asynccontextmanager
async def demo() -> AsyncIterator[DemoServer]:
    async with DemoServer(socketio=True) as server:
        yield server


@asynccontextmanager
async def client(
    server: DemoServer, name: str | None = None, **options: Any
) -> AsyncIterator[socketio.AsyncClient]:
    sio = socketio.AsyncClient(reconnection=False)
    yield sio
    await sio.disconnect()


async def connect(
    sio: socketio.AsyncClient, server: DemoServer, auth: Any = None, **options: Any
) -> None:
    assert server.socketio_url is not None
    await sio.connect(
        server.socketio_url, transports=["websocket"], auth=auth, wait_timeout=DEADLINE, **options
    )


def run(test: Callable[[], Awaitable[None]]) -> None:
    asyncio.run(asyncio.wait_for(test(), 60))


def test_without_the_option_the_socketio_chat_starts_only_when_asked() -> None:
    async def test() -> None:
        async with DemoServer() as server:
            assert server.socketio is None and server.socketio_url is None
            url = await server.start_socketio()
            assert url == server.socketio_url and url.startswith("http://127.0.0.1:")
            assert await server.start_socketio() == url  # once only
            async with client(server) as alice:
                await connect(alice, server, {"name": "Alice"})
                assert (await alice.call("whoami", timeout=DEADLINE))["name"] == "Alice"
        assert server.socketio_url is None

    run(test)


def test_room_messages_reach_every_member_and_are_acknowledged() -> None:
    async def test() -> None:
        async with demo() as server, client(server) as alice, client(server) as bob:
            bob_heard = Heard(bob, "chat", "user_joined", "user_left")
            alice_heard = Heard(alice, "chat")
            await connect(alice, server, {"name": "Alice"})
            await connect(bob, server, {"name": "Bob"})
            assert await bob.call("join", {"room": "lobby"}, timeout=DEADLINE) == {
                "ok": True,
                "room": "lobby",
                "members": ["Bob"],
            }
            joined = await alice.call("join", {"room": "lobby", "name": "Al"}, timeout=DEADLINE)
            assert joined["members"] == ["Al", "Bob"]  # joining with a name renames you
            assert await bob_heard.next() == ("user_joined", {"room": "lobby", "user": "Al"})
            ack = await alice.call(
                "message", {"room": "lobby", "content": "<b>hi</b> there"}, timeout=DEADLINE
            )
            assert ack["ok"] is True
            for heard in (bob_heard, alice_heard):  # the sender too, as on the WebSocket chat
                event, chat = await heard.next()
                assert event == "chat"
                assert chat["content"] == "hi there" and chat["from"] == "Al"
                assert chat["room"] == "lobby" and chat["id"] == ack["id"]
                assert chat["sent_at"].endswith("Z")
            await alice.disconnect()
            assert await bob_heard.next() == (
                "user_left",
                {"room": "lobby", "user": "Al", "reason": "disconnected"},
            )

    run(test)


def test_mistakes_are_answered_in_the_acknowledgement() -> None:
    async def test() -> None:
        async with demo() as server, client(server) as alice:
            await connect(alice, server, {"name": "Alice"})
            ack = await alice.call("message", {"room": "nope", "content": "x"}, timeout=DEADLINE)
            assert ack == {
                "ok": False,
                "error": {"code": "not_in_room", "message": 'You are not in room "nope"'},
            }
            bad_room = await alice.call("join", {"room": "a b"}, timeout=DEADLINE)
            assert bad_room["error"]["code"] == "invalid_room"
            not_an_object = await alice.call("join", "lobby", timeout=DEADLINE)
            assert not_an_object["error"]["code"] == "invalid_message"
            await alice.call("join", {"room": "r"}, timeout=DEADLINE)
            empty = await alice.call(
                "message", {"room": "r", "content": "<i></i>"}, timeout=DEADLINE
            )
            assert empty["error"]["code"] == "empty_message"

    run(test)


def test_echo_whoami_and_updates_in_order() -> None:
    async def test() -> None:
        async with demo() as server, client(server) as alice:
            heard = Heard(alice, "echo", "update")
            await connect(alice, server)  # no name: a guest
            # Several acknowledgement arguments come back as a tuple from python-socketio.
            assert await alice.call("echo", (1, "two", {"3": 3}), timeout=DEADLINE) == (
                1,
                "two",
                {"3": 3},
            )
            assert await heard.next() == ("echo", [1, "two", {"3": 3}])
            me = await alice.call("whoami", timeout=DEADLINE)
            assert me["name"] == f"guest-{me['sid'][:6]}"
            await alice.call("subscribe", {"topic": "prices", "count": 3, "interval_ms": 10})
            updates = [await heard.next() for _ in range(3)]
            assert [(event, data["n"], data["last"]) for event, data in updates] == [
                ("update", 1, False),
                ("update", 2, False),
                ("update", 3, True),
            ]

    run(test)


def test_a_poll_asks_every_other_member_with_an_acknowledgement_request() -> None:
    async def test() -> None:
        async with demo() as server, client(server) as alice, client(server) as bob:

            async def vote(ask: dict[str, Any]) -> str:
                assert ask == {"room": "lobby", "question": "pizza?", "from": "Alice"}
                return "yes"

            bob.on("vote", vote)
            heard = Heard(alice, "poll_result")
            await connect(alice, server, {"name": "Alice"})
            await connect(bob, server, {"name": "Bob"})
            for sio in (alice, bob):
                await sio.call("join", {"room": "lobby"}, timeout=DEADLINE)
            asked = await alice.call("poll", {"room": "lobby", "question": "pizza?"})
            assert asked == {"ok": True, "asked": ["Bob"]}
            assert await heard.next() == (
                "poll_result",
                {"room": "lobby", "question": "pizza?", "votes": {"Bob": "yes"}},
            )

    run(test)


def test_goodbye_ends_the_session_from_the_server() -> None:
    async def test() -> None:
        async with demo() as server, client(server) as alice:
            reasons: asyncio.Queue[Any] = asyncio.Queue()
            alice.on("disconnect", lambda reason=None: reasons.put_nowait(reason))
            await connect(alice, server)
            await alice.emit("goodbye")
            reason = await asyncio.wait_for(reasons.get(), DEADLINE)
            assert reason == alice.reason.SERVER_DISCONNECT

    run(test)


@pytest.mark.parametrize(("token", "accepted"), [("alice-token", True), ("wrong", False)])
def test_the_secure_namespace_wants_a_token(token: str, accepted: bool) -> None:
    async def test() -> None:
        async with demo() as server, client(server) as alice:
            errors: asyncio.Queue[Any] = asyncio.Queue()
            alice.on("connect_error", errors.put_nowait, namespace="/secure")
            if accepted:
                await connect(alice, server, {"token": token}, namespaces=["/secure"])
                me = await alice.call("whoami", namespace="/secure", timeout=DEADLINE)
                assert me == {"user": "alice"}
            else:
                with pytest.raises(socketio.exceptions.ConnectionError):
                    await connect(alice, server, {"token": token}, namespaces=["/secure"])
                assert await asyncio.wait_for(errors.get(), DEADLINE) == {
                    "message": "invalid token"
                }

    run(test)


def test_a_run_serves_the_demo_chat_over_socketio_only_to_socketio_clients() -> None:
    from wsbdd.facade.session import Run
    from wsbdd.settings.config import Settings

    with Run.start(Settings()) as run:
        session = run.session()
        try:
            session.connect("Alice")  # plain WebSocket: the demo's chat, no Socket.IO yet
            assert run.demo.socketio is None
            session.use_protocol("socket.io")
            session.connect("Bob")
            assert run.demo.socketio_url is not None
            bob = session.client("Bob")
            assert bob.outcome.url.startswith(run.demo.socketio_url.replace("http", "ws", 1))
            assert bob.codec.name == "socket.io" and bob.connected
        finally:
            session.close()
