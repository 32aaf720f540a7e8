"""Engine.IO long-polling (wsbdd.io.polling) against real servers on 127.0.0.1.

The Engine.IO-level tests use a plain python-engineio ASGI server on uvicorn, defined
here (only what Engine.IO needs: echo, a numbered stream, a server close), and wsbdd's
client with the raw WebSocket codec, so every Engine.IO packet shows in the inbox as
the frame the transport handed over.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import re
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import engineio
import pytest
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette_app import StarletteServer

from tests.sentences import assert_raises_sentence
from wsbdd.codec import Emit, WebSocketCodec
from wsbdd.facade.session import Run, Session
from wsbdd.io.client import Client, ConnectOptions, frames_from
from wsbdd.io.polling import (
    PollingConnection,
    decode_payload,
    encode_payload,
    polling_url,
    websocket_url,
)
from wsbdd.match import where
from wsbdd.model.errors import ConnectionProblem, FeatureMistake
from wsbdd.model.transcript import build_transcript
from wsbdd.report.text import transcript_text
from wsbdd.settings.config import Settings, SocketIOSettings

DEADLINE = 20.0  # seconds any one test's conversation may take, at most
QUICK_EXIT = {"timeout_graceful_shutdown": 1}
"""uvicorn waits for open requests at exit: a poll the test left outstanding would hold it
until the server's ping timeout."""


# -- a plain Engine.IO server -----------------------------------------------------------------


def engineio_app(**options: Any) -> Any:
    """A python-engineio ASGI app at /socket.io/ that answers text messages:

    - ``echo:…`` (or bytes): sent back as they came;
    - ``stream``: numbered messages ``n:0``, ``n:1``, … every 2 ms until ``stop``, then ``end``;
    - ``bye``: the server closes the session;
    - ``burst:N``: N messages at once (``b:0`` … ``b:N-1``);
    - ``report``: the messages received so far, as JSON.

    A client connecting with ``?stream=1`` gets the stream from its connect on.
    """
    eio = engineio.AsyncServer(async_mode="asgi", **options)
    streams: dict[str, asyncio.Event] = {}
    received: dict[str, list[Any]] = {}

    async def stream(sid: str) -> None:
        stop = streams[sid] = asyncio.Event()
        n = 0
        while not stop.is_set() and n < 5000:  # bounded: 10 s at most
            await eio.send(sid, f"n:{n}")
            n += 1
            try:
                await asyncio.wait_for(stop.wait(), 0.002)
            except TimeoutError:
                pass
        await eio.send(sid, "end")

    @eio.on("connect")
    async def connect(sid: str, environ: dict[str, Any]) -> None:
        received[sid] = []
        if "stream=1" in environ.get("QUERY_STRING", ""):
            eio.start_background_task(stream, sid)

    @eio.on("message")
    async def message(sid: str, data: Any) -> None:
        received[sid].append(data if isinstance(data, str) else data.hex())
        if isinstance(data, bytes) or data.startswith("echo:"):
            await eio.send(sid, data)
        elif data == "stream":
            eio.start_background_task(stream, sid)
        elif data == "stop":
            streams[sid].set()
        elif data == "bye":
            await eio.disconnect(sid)
        elif data.startswith("burst:"):
            for n in range(int(data[6:])):
                await eio.send(sid, f"b:{n}")
        elif data == "report":
            await eio.send(sid, json.dumps(received[sid]))

    return engineio.ASGIApp(eio, engineio_path="socket.io")


@pytest.fixture(scope="module")
def server():
    with StarletteServer(engineio_app(), **QUICK_EXIT) as server:
        yield server


@pytest.fixture(scope="module")
def websocket_refused_server():
    """Offers the upgrade (python-engineio always does) but refuses the WebSocket."""
    with StarletteServer(engineio_app(transports=["polling"]), **QUICK_EXIT) as server:
        yield server


@pytest.fixture(scope="module")
def polling_only_server():
    with StarletteServer(engineio_app(allow_upgrades=False), **QUICK_EXIT) as server:
        yield server


@pytest.fixture(scope="module")
def impatient_server():
    """Pings every 0.2 s and gives up 0.2 s later: the raw codec never answers."""
    with StarletteServer(engineio_app(ping_interval=0.2, ping_timeout=0.2), **QUICK_EXIT) as server:
        yield server


def address(server: StarletteServer, query: str = "") -> str:
    """The address the Socket.IO codec gives the client (its ``url_for``)."""
    return f"{server.ws_url}/socket.io/?EIO=4&transport=websocket{query}"


def converse(script: Callable[[], Awaitable[Any]]) -> Any:
    """Run one conversation on a fresh loop, within the deadline."""

    async def bounded() -> Any:
        async with asyncio.timeout(DEADLINE):
            return await script()

    return asyncio.run(bounded())


class EngineIOFrames(WebSocketCodec):
    """Every frame into the inbox as it came, as the raw WebSocket codec does, but counted
    as Engine.IO (so the client may poll): the tests see each packet the transport handed on."""

    engine_io = True


def client(transport: str, name: str = "Alice", **options: Any) -> Client:
    return Client(
        name,
        ConnectOptions(transport=transport, open_timeout=5.0, codec=EngineIOFrames, **options),
    )


async def until(who: Client, test: Callable[[], bool], what: str, timeout: float = 5.0) -> None:
    """Wait, woken by each frame (or the close), until ``test()`` holds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    with frames_from([who]) as arrivals:
        while True:
            arrivals.take()
            if test():
                return
            if not await arrivals.wait(deadline - loop.time()):
                raise AssertionError(f"{who.name}: no {what} within {timeout:g} s: {frames(who)}")


def frames(who: Client) -> list[str | bytes]:
    return [message.raw for message in who.inbox]


def has(who: Client, frame: str | bytes) -> Callable[[], bool]:
    return lambda: frame in frames(who)


def conn(who: Client) -> PollingConnection:
    assert isinstance(who._conn, PollingConnection)
    return who._conn


# -- the payload format, on data ------------------------------------------------------------------


def test_a_payload_is_split_into_packets_with_binary_ones_decoded():
    assert decode_payload('0{"sid":"x"}\x1e42["chat",{"é":1}]\x1ebAQID\x1e2\x1e6') == [
        (0, '0{"sid":"x"}'),
        (4, '42["chat",{"é":1}]'),
        (4, b"\x01\x02\x03"),
        (2, "2"),
        (6, "6"),
    ]


def test_a_payload_of_many_packets_is_taken_whole():
    # python-engineio's own decoder stops at 16 packets; a poll's answer may hold more.
    text = "\x1e".join(f"4m{n}" for n in range(40))
    assert [frame for _, frame in decode_payload(text)] == [f"4m{n}" for n in range(40)]


@pytest.mark.parametrize("text", ["96:0{}", "9", "hello", "bnot base64!"])
def test_what_is_not_engine_io_4_is_refused(text):
    with pytest.raises(ValueError):
        decode_payload(text)


def test_frames_are_sent_as_the_codec_wrote_them():
    # JSON spacing and non-ASCII text stay as written; bytes travel as base64.
    assert encode_payload(['42["a", {"x": "é"}]', b"\x00\xff", "3"]) == (
        '42["a", {"x": "é"}]\x1ebAP8=\x1e3'
    )


def test_the_addresses_of_the_two_transports():
    url = "wss://h:9/socket.io/?EIO=4&transport=websocket&token=t"
    assert polling_url(url) == "https://h:9/socket.io/?token=t&EIO=4&transport=polling"
    assert polling_url(url, "S") == "https://h:9/socket.io/?token=t&EIO=4&transport=polling&sid=S"
    assert websocket_url("http://h/socket.io/?EIO=4&transport=polling&sid=S", "S") == (
        "ws://h/socket.io/?EIO=4&transport=websocket&sid=S"
    )


# -- long-polling only --------------------------------------------------------------------------


def test_polling_only_hands_over_each_packet_as_a_frame_open_packet_first(server):
    async def script() -> Client:
        alice = client("polling-only")
        outcome = await alice.connect(address(server))
        assert outcome.opened_at is not None, outcome.error
        await alice.send("4echo:hi")
        await alice.send(b"\x00\x01\xfe")
        await until(alice, has(alice, b"\x00\x01\xfe"), "binary echo")
        await alice.close()
        return alice

    alice = converse(script)
    first, *rest = frames(alice)
    assert isinstance(first, str) and first.startswith("0{")
    opened = json.loads(first[1:])
    assert opened["upgrades"] == ["websocket"] and opened["sid"]
    assert rest == ["4echo:hi", b"\x00\x01\xfe"]
    assert [m.kind for m in alice.inbox] == ["text", "text", "binary"]
    outcome = alice.outcome
    assert outcome is not None and outcome.transport == "polling"
    assert outcome.upgraded_at is None and outcome.status == 200 and not outcome.rejected
    kinds = [event.kind for event in build_transcript([alice])]
    assert kinds == [
        "connecting",
        "connected",
        "sent",
        "sent",
        "received",
        "received",
        "received",
        "closed",
    ]
    # Engine.IO's close packet went: a clean close the client began.
    assert (outcome.close_code, outcome.clean, outcome.closed_by) == (1000, True, "client")


def test_the_same_frames_arrive_as_over_a_websocket(server):
    async def script(transport: str) -> list[str | bytes]:
        who = client(transport)
        await who.connect(address(server))
        await who.send("4burst:3")
        await until(who, has(who, "4b:2"), "burst")
        await who.close()
        return frames(who)

    over_polling = converse(lambda: script("polling-only"))
    over_websocket = converse(lambda: script("websocket"))

    def shape(received: list[str | bytes]) -> list[Any]:
        opened = json.loads(str(received[0])[1:])
        del opened["sid"], opened["upgrades"]  # a WebSocket session offers no upgrade
        return [opened, *received[1:]]

    assert shape(over_polling) == shape(over_websocket)
    assert over_polling[1:] == ["4b:0", "4b:1", "4b:2"]


def test_sends_keep_their_order_across_many_posts(server):
    async def script() -> list[str]:
        alice = client("polling-only")
        await alice.connect(address(server))
        conn(alice).send_soon([f"4m{n}" for n in range(25)])  # more than one POST holds
        for n in range(25, 60):
            await alice.send(f"4m{n}")
        await alice.send(b"\x07")
        await alice.send("4report")
        await until(alice, lambda: len(alice.inbox) == 3, "report")  # open, echoed bytes, report
        report = json.loads(str(frames(alice)[2])[1:])
        await alice.close()
        return report

    assert converse(script) == [f"m{n}" for n in range(60)] + ["07", "report"]


def test_a_server_that_allows_polling_only_is_never_upgraded(polling_only_server):
    async def script() -> Client:
        alice = client("polling")  # would upgrade if offered
        await alice.connect(address(polling_only_server))
        assert await conn(alice).settled() == "polling"
        await alice.send("4echo:still polling")
        await until(alice, has(alice, "4echo:still polling"), "echo")
        await alice.close()
        return alice

    alice = converse(script)
    assert json.loads(str(frames(alice)[0])[1:])["upgrades"] == []
    assert alice.outcome is not None and alice.outcome.transport == "polling"
    assert conn(alice).upgrade_problem is None


def test_the_server_closing_the_session_is_a_clean_close_by_the_server(server):
    async def script() -> Client:
        alice = client("polling-only")
        await alice.connect(address(server))
        await alice.send("4bye")
        assert await alice.wait_closed(5.0)
        return alice

    alice = converse(script)
    outcome = alice.outcome
    assert outcome is not None
    assert (outcome.close_code, outcome.clean, outcome.closed_by) == (1000, True, "server")
    assert frames(alice)[-1] == "1"  # the close packet reached the codec, as over a WebSocket
    assert alice.how_it_ended() == "closed with code 1000"


def test_a_server_that_forgot_the_session_ends_it_abruptly(impatient_server):
    # The raw codec answers no ping: the server drops the session, and the next poll or
    # POST is answered with HTTP 400.
    async def script() -> Client:
        alice = client("polling-only")
        await alice.connect(address(impatient_server))
        assert await alice.wait_closed(5.0)
        return alice

    alice = converse(script)
    outcome = alice.outcome
    assert outcome is not None and outcome.clean is False
    if outcome.closed_by == "server" and outcome.close_code == 1006:
        assert outcome.close_reason.startswith("HTTP 400"), outcome.close_reason
    else:  # the server's close packet came first
        assert (outcome.close_code, outcome.closed_by) == (1000, "server")


def test_sending_after_the_end_is_connection_lost(server):
    from wsbdd.io.errors import ConnectionLost

    async def script() -> None:
        alice = client("polling-only")
        await alice.connect(address(server))
        await alice.close()
        with pytest.raises(ConnectionLost):
            await conn(alice).send("4late")

    converse(script)


def test_an_abort_drops_the_session_without_a_close_packet(server):
    async def script() -> Client:
        alice = client("polling-only")
        await alice.connect(address(server))
        await alice.abort()
        return alice

    alice = converse(script)
    outcome = alice.outcome
    assert outcome is not None
    assert (outcome.close_code, outcome.clean, outcome.closed_by) == (1006, False, "client")


# -- the upgrade ---------------------------------------------------------------------------------


def test_polling_upgrades_to_a_websocket_and_frames_keep_flowing(server):
    async def script() -> Client:
        alice = client("polling")
        outcome = await alice.connect(address(server))
        assert outcome.opened_at is not None, outcome.error
        assert await conn(alice).settled() == "websocket", conn(alice).upgrade_problem
        await alice.send("4echo:over ws")
        await alice.send(b"\x09")
        await until(alice, has(alice, b"\x09"), "binary echo")
        await alice.close()
        return alice

    alice = converse(script)
    assert frames(alice)[1:] == ["4echo:over ws", b"\x09"]
    outcome = alice.outcome
    assert outcome is not None and outcome.transport == "websocket"
    assert outcome.upgraded_at is not None and not outcome.rejected
    assert (outcome.close_code, outcome.clean, outcome.closed_by) == (1000, True, "client")
    # No probe, pong or noop reached the client: transport chatter stays below.
    assert not {"3probe", "6", "5"} & {f for f in frames(alice) if isinstance(f, str)}


def test_no_packet_is_lost_or_repeated_across_the_upgrade(server):
    # The server streams numbered messages every 2 ms from the connect on, so some travel
    # by polling, some are queued while the probe and "5" are under way, and the rest go
    # over the WebSocket; the client stops the stream once it has switched.
    async def script() -> Client:
        alice = client("polling")
        await alice.connect(address(server, "&stream=1"))
        assert await conn(alice).settled() == "websocket", conn(alice).upgrade_problem
        upgraded_at = alice.outcome.upgraded_at if alice.outcome else None
        assert upgraded_at is not None

        def some_came_over_the_websocket() -> bool:
            return sum(1 for m in alice.inbox if m.at >= upgraded_at) >= 5

        await until(alice, some_came_over_the_websocket, "stream over the WebSocket")
        await alice.send("4stop")
        await until(alice, has(alice, "4end"), "end of the stream")
        await alice.close()
        return alice

    alice = converse(script)
    outcome = alice.outcome
    assert outcome is not None and outcome.upgraded_at is not None
    numbered = [m for m in alice.inbox if str(m.raw).startswith("4n:")]
    assert [str(m.raw) for m in numbered] == [f"4n:{n}" for n in range(len(numbered))]
    before = [m for m in numbered if m.at < outcome.upgraded_at]
    after = [m for m in numbered if m.at >= outcome.upgraded_at]
    assert before and after, "the stream should straddle the upgrade"
    assert frames(alice)[-1] == "4end"


def test_sends_keep_their_order_across_the_upgrade(server):
    # The client answers every streamed message with one of its own, before, during and
    # after the switch; the server must get them all once, in order.
    async def script() -> tuple[Client, list[str]]:
        alice = client("polling")
        await alice.connect(address(server, "&stream=1"))
        polling = conn(alice)
        settled = asyncio.ensure_future(polling.settled())
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 10.0
        sent = after = 0
        with frames_from([alice]) as arrivals:
            while after < 5 and sent < 2000:
                for _ in range(len(arrivals.take()) or 1):
                    await alice.send(f"4c:{sent}")
                    sent += 1
                    after += settled.done()
                if not await arrivals.wait(deadline - loop.time()):
                    raise AssertionError("the stream stopped")
        assert await settled == "websocket", polling.upgrade_problem
        await alice.send("4stop")
        await alice.send("4report")
        await until(alice, lambda: str(frames(alice)[-1]).startswith("4["), "report")
        report = json.loads(str(frames(alice)[-1])[1:])
        await alice.close()
        return alice, report

    alice, report = converse(script)
    mine = [text for text in report if text.startswith("c:")]
    assert mine == [f"c:{n}" for n in range(len(mine))]
    upgraded_at = alice.outcome.upgraded_at if alice.outcome else None
    assert upgraded_at is not None
    times = [entry.at for entry in alice.sent if str(entry.payload).startswith("4c:")]
    assert times[0] < upgraded_at < times[-1], "the sends should straddle the upgrade"


def test_closing_while_the_upgrade_is_under_way(server):
    # Closed right after the open packet, while the probe is out: the close is clean and
    # nothing is left waiting (settled() answers, the reader ends).
    async def script() -> Client:
        alice = client("polling")
        await alice.connect(address(server))
        await alice.close()
        assert alice.finished
        await conn(alice).settled()
        return alice

    alice = converse(script)
    outcome = alice.outcome
    assert outcome is not None
    assert (outcome.close_code, outcome.clean, outcome.closed_by) == (1000, True, "client")


def test_the_transcript_says_when_the_transport_changed(server):
    async def script() -> Client:
        alice = client("polling")
        await alice.connect(address(server))
        await conn(alice).settled()
        await alice.close()
        return alice

    alice = converse(script)
    events = build_transcript([alice])
    kinds = [event.kind for event in events]
    assert kinds.index("connected") < kinds.index("transport") < kinds.index("closed")
    moved = events[kinds.index("transport")]
    assert moved.detail == {"from": "polling", "to": "websocket"}
    text = transcript_text(events)
    assert "Alice  connected over long-polling" in text
    assert "Alice  transport: polling → websocket" in text


def test_a_failed_upgrade_leaves_the_session_on_polling(websocket_refused_server):
    async def script() -> Client:
        alice = client("polling")
        await alice.connect(address(websocket_refused_server))
        assert await conn(alice).settled() == "polling"
        await alice.send("4echo:after a failed upgrade")
        await until(alice, has(alice, "4echo:after a failed upgrade"), "echo")
        await alice.close()
        return alice

    alice = converse(script)
    assert json.loads(str(frames(alice)[0])[1:])["upgrades"] == ["websocket"]
    assert alice.outcome is not None and alice.outcome.transport == "polling"
    assert alice.outcome.close_code == 1000
    assert conn(alice).upgrade_problem == ("the WebSocket of the upgrade did not open (HTTP 403)")


# -- handshakes that fail ------------------------------------------------------------------------


def not_engine_io_app() -> Starlette:
    async def hello(request: Any) -> PlainTextResponse:
        return PlainTextResponse("hello")

    async def old(request: Any) -> PlainTextResponse:
        return PlainTextResponse(
            '96:0{"sid":"abc","upgrades":["websocket"],"pingInterval":25000}2:40'
        )

    return Starlette(routes=[Route("/hello/", hello), Route("/socket.io/", old)])


@pytest.fixture(scope="module")
def other_server():
    with StarletteServer(not_engine_io_app()) as server:
        yield server


def connect_error(url: str) -> tuple[str | None, int | None]:
    async def script() -> tuple[str | None, int | None]:
        alice = client("polling")
        outcome = await alice.connect(url)
        assert outcome.opened_at is None
        return outcome.error, outcome.status

    result: tuple[str | None, int | None] = converse(script)
    return result


def test_a_server_that_is_not_engine_io(other_server):
    error, status = connect_error(f"{other_server.ws_url}/hello/?EIO=4&transport=websocket")
    assert error == (
        "the server's answer to the long-polling handshake is not an Engine.IO open packet "
        '("hello"); check that it is a Socket.IO server and that the path is right'
    )
    assert status is None


def test_a_refused_handshake_keeps_its_status(server):
    async def script() -> Any:
        alice = client("polling")
        return await alice.connect(f"{server.ws_url}/elsewhere/?EIO=4")

    outcome = converse(script)
    assert outcome.rejected and outcome.status == 404
    assert (
        outcome.error == 'the server rejected the handshake with HTTP 404 Not Found ("Not Found")'
    )


def test_nobody_listening():
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    error, _ = connect_error(f"ws://127.0.0.1:{port}/socket.io/")
    assert error == "the connection was refused (is the server running on that port?)"


# -- the sentences a tester reads, through a Session ------------------------------------------


@pytest.fixture
def polling_session(s):
    """The conftest session, its clients connecting over long-polling (the setting
    ``[socketio] transport = "polling"`` gives them this option)."""
    s.pool.options = dataclasses.replace(s.pool.options, transport="polling", codec=EngineIOFrames)
    return s


def test_the_sentence_for_a_server_that_is_not_engine_io(polling_session, other_server):
    url = f"{other_server.ws_url}/hello/"
    assert_raises_sentence(
        f"Alice could not connect to {url}: the server's answer to the long-polling handshake "
        'is not an Engine.IO open packet ("hello"); check that it is a Socket.IO server and '
        "that the path is right.",
        polling_session.connect,
        "Alice",
        url,
        kind=ConnectionProblem,
    )


def test_the_sentence_for_an_engine_io_3_server(polling_session, other_server):
    url = f"{other_server.ws_url}/socket.io/"
    assert_raises_sentence(
        f"Alice could not connect to {url}: the server answered the long-polling handshake in "
        'Engine.IO 3 ("96:0{"sid":"abc","upgrades":["websocket"],"pingInterval":250…"), the '
        "protocol of Socket.IO 2, which wsbdd does not support; upgrade the server to Socket.IO "
        "3 or later.",
        polling_session.connect,
        "Alice",
        url,
        kind=ConnectionProblem,
    )


def test_the_sentence_for_a_refused_polling_handshake(polling_session, server):
    url = f"{server.ws_url}/elsewhere/"
    assert_raises_sentence(
        f"Alice could not connect to {url}: the server rejected the handshake with HTTP 404 "
        'Not Found ("Not Found").',
        polling_session.connect,
        "Alice",
        url,
        kind=ConnectionProblem,
    )


def test_the_sentence_for_nobody_listening(polling_session):
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        url = f"ws://127.0.0.1:{sock.getsockname()[1]}/socket.io/"
    assert_raises_sentence(
        f"Alice could not connect to {url}: the connection was refused (is the server running "
        "on that port?).",
        polling_session.connect,
        "Alice",
        url,
        kind=ConnectionProblem,
    )


def test_the_sentence_for_a_ping_on_long_polling(polling_session, polling_only_server):
    polling_session.connect("Alice", address(polling_only_server))
    assert_raises_sentence(
        "Alice cannot send a WebSocket ping: the connection is on Engine.IO long-polling (it "
        "never upgrades), which has none; the server's own Engine.IO pings keep it alive, or "
        'set transport = "websocket" to ping.',
        polling_session.ping,
        "Alice",
        kind=FeatureMistake,
    )


# -- Socket.IO end to end: the real codec on the real servers (tests/socketio_apps/) ------------


@contextlib.contextmanager
def socketio_session(server: Any, transport: str, **socketio: Any) -> Iterator[Session]:
    settings = Settings(
        url=server.url,
        timeout=5.0,
        codec="socket.io",
        socketio=SocketIOSettings(transport=transport, **socketio),  # type: ignore[arg-type]
    )
    with Run.start(settings) as run, run.session() as session:
        yield session


def settled(session: Session, name: str) -> str:
    """Which transport ``name`` ends up on, once its upgrade is done or given up."""
    polling = conn(session.client(name))
    result: str = session._run(polling.settled(), 10.0)
    return result


@pytest.fixture(scope="module", params=["python", "node"])
def polling_only_app(request):
    """Each real server again, refusing WebSocket (its connections and upgrades)."""
    from socketio_servers import SocketIOServerError, node_socketio_server, python_socketio_server

    start = python_socketio_server if request.param == "python" else node_socketio_server
    try:
        with start(polling_only=True) as running:
            yield running
    except SocketIOServerError as error:
        pytest.fail(str(error), pytrace=False)


@pytest.mark.parametrize("transport", ["polling", "polling-only"])
def test_events_acks_and_binary_over_polling(socketio_app, transport):
    with socketio_session(socketio_app, transport) as s:
        s.connect_all(["Alice", "Bob"])
        room = f"room-{socketio_app.kind}-{transport}"
        for name in ("Alice", "Bob"):
            s.send(name, Emit("join", ({"room": room},), wants_ack=True))
            s.receive(name, where(f'$.type is "ack" and $.args[0].room is "{room}"'))
        s.send("Alice", Emit("chat", ({"room": room, "text": "hi"},), wants_ack=True))
        s.receive("Alice", where('$.type is "ack" and $.args[0].ok is true'))
        s.receive("Bob", where('$.event is "chat" and $.args[0].text is "hi"'))
        s.send("Alice", Emit("binary", ({"blob": b"\x00\xff"},), wants_ack=True))
        back = s.receive("Alice", where('$.event is "binary"'))
        assert back.value["args"] == [{"data": b"\x00\x01\x02\xff"}, {"blob": b"\x00\xff"}]
        s.receive("Alice", where('$.type is "ack" and $.args[0].attachments is 1'))
        expected = "websocket" if transport == "polling" else "polling"
        assert settled(s, "Alice") == expected
        assert s.client("Alice").outcome.transport == expected
        # The connection still carries events after its upgrade (or without one).
        s.send("Alice", Emit("echo", ("after",)))
        s.receive("Alice", where('$.event is "echo" and $.args[0] is "after"'))


def test_a_server_that_allows_polling_only(polling_only_app):
    with socketio_session(polling_only_app, "polling") as s:
        s.connect("Alice")
        assert settled(s, "Alice") == "polling"
        s.send("Alice", Emit("echo", ({"n": 1},), wants_ack=True))
        s.receive("Alice", where('$.type is "ack" and $.args[0].n is 1'))
        outcome = s.client("Alice").outcome
        assert outcome.transport == "polling" and outcome.upgraded_at is None


def test_websocket_against_a_polling_only_server_is_refused(polling_only_app):
    with socketio_session(polling_only_app, "websocket") as s:
        outcome = s.connect("Alice", require=False)
        assert outcome.opened_at is None and outcome.rejected  # 400 on Python, 403 on Node


@pytest.mark.parametrize("transport", ["polling", "polling-only"])
def test_the_server_disconnecting_the_client_over_polling(socketio_app, transport):
    with socketio_session(socketio_app, transport) as s:
        s.connect("Alice")
        settled(s, "Alice")
        s.send("Alice", Emit("kick"))
        outcome = s.expect_disconnected("Alice")
        assert outcome.app_reason == "io server disconnect"
        if transport == "polling-only":  # (a WebSocket's close code is the server's choice)
            assert (outcome.close_code, outcome.clean) == (1000, True)


def test_the_heartbeat_travels_by_post(polling_only_app):
    # The server pings every 200 ms (Node) or 1 s (python-engineio counts in whole seconds)
    # and gives up 200 ms after a ping: the codec's pongs must go out in POSTs in time.
    from socketio_servers import node_socketio_server, python_socketio_server

    start = python_socketio_server if polling_only_app.kind == "python" else node_socketio_server
    interval = 1000 if polling_only_app.kind == "python" else 200
    with start(polling_only=True, ping_interval=interval, ping_timeout=200) as quick:
        with socketio_session(quick, "polling-only") as s:
            s.connect("Alice")
            s.receive_nothing("Alice", None, 3 * interval / 1000 + 0.3)
            assert s.client("Alice").connected
            s.send("Alice", Emit("echo", ("still here",)))
            s.receive("Alice", where('$.event is "echo"'))


def test_no_event_is_lost_or_repeated_across_the_upgrade(node_socketio):
    # The fan-out streams ticks while the connection upgrades: each arrives once, in order.
    with socketio_session(node_socketio, "polling") as s:
        s.connect("Alice")
        s.send("Alice", Emit("fanout", ({"count": 300},)))
        s.receive("Alice", where('$.event is "tick" and $.args[0].n is 300'))
        assert settled(s, "Alice") == "websocket"
        ticks = [
            m.value["args"][0]["n"]
            for m in s.client("Alice").inbox
            if m.value.get("event") == "tick"
        ]
        assert ticks == list(range(1, 301))


def test_the_transcript_shows_the_upgrade(python_socketio):
    with socketio_session(python_socketio, "polling") as s:
        s.connect("Alice")
        settled(s, "Alice")
        s.send("Alice", Emit("echo", ("x",)))
        s.receive("Alice", where('$.event is "echo"'))
        text = transcript_text(s.transcript())
    assert "Alice  connected over long-polling" in text
    assert "Alice  transport: polling → websocket" in text


def test_an_engine_io_3_server_over_polling(node_socketio_v2):
    with socketio_session(node_socketio_v2, "polling") as s:
        outcome = s.connect("Alice", require=False)
    assert re.sub(r'"sid":"[^"]+"', '"sid":"…"', outcome.error or "") == (
        'the server answered the long-polling handshake in Engine.IO 3 ("97:0{"sid":"…",'
        '"upgrades":["websocket"],"…"), the protocol of Socket.IO 2, which wsbdd does not '
        "support; upgrade the server to Socket.IO 3 or later"
    )


@pytest.mark.parametrize("kind", ["python", "node"])
def test_a_server_that_vanishes_loses_the_connection(kind):
    from socketio_servers import node_socketio_server, python_socketio_server

    start = python_socketio_server if kind == "python" else node_socketio_server
    with start() as doomed, socketio_session(doomed, "polling-only") as s:
        s.connect("Alice")
        doomed.process.kill()  # no close packet, no HTTP answer: the poll's connection drops
        doomed.process.wait(10)
        outcome = s.expect_disconnected("Alice")
        assert outcome.lost and outcome.close_code == 1006 and outcome.closed_by is None
        assert outcome.app_reason == "transport close"
        assert outcome.describe_close() == (
            "was lost without a closing handshake (1006) (transport close)"
        )


def test_a_refused_namespace_over_polling(socketio_app):
    with socketio_session(
        socketio_app,
        "polling",
        namespaces=("/", "/admin"),
        auth={"username": "admin", "password": "wrong"},
    ) as s:
        assert_raises_sentence(
            f"Mallory could not connect to ws://127.0.0.1:{socketio_app.port}: the server "
            'refused namespace "/admin": authentication failed.',
            s.connect,
            "Mallory",
            kind=ConnectionProblem,
        )


def test_the_codec_sees_the_same_frames_on_both_transports(socketio_app):
    # Text with non-ASCII characters, numbers, nested JSON and bytes: what the inbox keeps
    # as each message's frame is the same whichever transport carried it.
    def exchange(transport: str) -> list[Any]:
        with socketio_session(socketio_app, transport) as s:
            s.connect("Alice")
            s.send("Alice", Emit("echo", ({"text": "héllo ☃", "n": [1, 2.5, None]}, "two")))
            s.receive("Alice", where('$.event is "echo"'))
            s.send("Alice", Emit("binary", ({"blob": b"\x00\x01"},)))
            s.receive("Alice", where('$.event is "binary"'))
            return [(m.kind, m.raw, m.value) for m in s.client("Alice").inbox]

    over_websocket = exchange("websocket")
    assert exchange("polling-only") == over_websocket
    assert over_websocket[0][2]["args"] == [{"text": "héllo ☃", "n": [1, 2.5, None]}, "two"]
