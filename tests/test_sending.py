"""A send step writes its frame before it ends; nothing about a send is lost or misplaced.

The step writes the frame itself, in the loop's turn.  Only a send held up by
flow control (a server that does not read) is still being written when its step
ends; the loop finishes it while behave moves on.  These tests pin down what
that must not change: frames go out in order, the transcript puts each under
the step that sent it, a send that fails at once fails its own step, and one
that fails later is reported, naming the step, by the next step or at the end
of the scenario.
"""

from __future__ import annotations

import asyncio
import json
import threading
from types import SimpleNamespace

import pytest
from behave.model_core import Status
from loopback import ThreadedServer
from websockets.asyncio.server import ServerConnection

from wsbdd.facade.session import Run, Session
from wsbdd.glue.environment import after_scenario
from wsbdd.match import where
from wsbdd.model.errors import ConnectionProblem
from wsbdd.settings.config import Settings


def lose_the_race(s: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    """Let send steps past their check that the client is open, as if the connection
    ended a moment after the check: the race a real send step can lose."""
    check = s.client
    monkeypatch.setattr(s, "client", lambda name, need_open=False: check(name))


class StallingServer(ThreadedServer):
    """A loopback server that reads nothing until told to, then answers each frame with
    how many it has had; or drops the connection without reading (TCP reset)."""

    serve_options = {"max_queue": 1}

    def __init__(self) -> None:
        super().__init__()
        self._read: asyncio.Event | None = None
        self._connections: list[ServerConnection] = []
        self.connected = threading.Event()

    async def setup(self) -> None:
        self._read = asyncio.Event()

    async def handler(self, ws: ServerConnection) -> None:
        self._connections.append(ws)
        self.connected.set()
        assert self._read is not None
        await self._read.wait()
        count = 0
        async for _ in ws:
            count += 1
            await ws.send(json.dumps({"frames": count}))

    def start_reading(self) -> None:
        assert self._read is not None
        self.call_soon(self._read.set)

    def reset_connections(self) -> None:
        for ws in self._connections:  # unread data in its buffer: closing sends a reset
            self.call_soon(ws.transport.abort)

    def __exit__(self, *exc: object) -> None:
        self.start_reading()  # handlers still waiting end with their connections
        super().__exit__(*exc)


@pytest.fixture
def stalling():
    """A session whose Alice talks to a StallingServer."""
    with StallingServer() as server:
        settings = Settings(url=f"ws://127.0.0.1:{server.port}", timeout=5.0, close_timeout=0.5)
        with Run.start(settings) as run:
            session = run.session()
            session.connect("Alice")
            assert server.connected.wait(10)  # its handler runs: it can be told what to do
            yield server, session
            session.close()


SEND_MANY = "When Alice sends 128 frames of 128 KB"
BIG = json.dumps({"pad": "x" * 128_000})


def held_up_send(server: StallingServer, s: Session) -> None:
    """A send step whose frames cannot all be written before it ends: the server reads
    nothing, so the kernel's buffers and then the connection's fill up."""
    s.begin_step(SEND_MANY)
    s.send("Alice", BIG, times=128)
    assert s._sending  # the premise of the tests that use this: still being written


def test_frames_from_many_send_steps_go_out_in_order(s):
    s.connect_all(["Alice", "Bob"])
    for n in range(40):
        s.send("Alice", f'{{"type": "echo", "content": "a{n}"}}')
        s.send("Bob", f'{{"type": "echo", "content": "b{n}"}}')
    for n in range(40):
        assert s.receive("Alice", where('$.type is "echo"')).json["content"] == f"a{n}"
        assert s.receive("Bob", where('$.type is "echo"')).json["content"] == f"b{n}"


def test_a_frame_is_shown_under_the_step_that_sent_it_even_if_written_later(stalling):
    server, s = stalling
    held_up_send(server, s)
    s.begin_step("Then Alice receives a message where $.frames is 128")
    server.start_reading()
    s.receive("Alice", where("$.frames is 128"))
    sent = [e for e in s.transcript() if e.kind == "sent"]
    assert len(sent) == 128
    assert {e.step.text for e in sent} == {SEND_MANY}


def test_a_send_that_fails_at_once_fails_its_own_step(s, monkeypatch):
    s.connect_all(["Alice", "Bob"])
    s.disconnect("Alice")
    lose_the_race(s, monkeypatch)
    s.begin_step('When Alice sends {"type": "echo"}')
    with pytest.raises(ConnectionProblem) as failure:
        s.send("Alice", '{"type": "echo"}')
    assert str(failure.value) == (
        'In the step "When Alice sends {"type": "echo"}": Alice could not send: '
        f"the connection {s.client('Alice').how_it_ended()}."
    )
    s.send("Bob", '{"type": "echo", "content": "after"}')  # the session goes on
    assert s.receive("Bob", where('$.type is "echo"')).json["content"] == "after"


def test_a_held_up_send_that_fails_fails_the_next_step_naming_the_send_step(stalling):
    server, s = stalling
    held_up_send(server, s)
    server.reset_connections()
    s.begin_step("Then Alice receives a message where $.frames is 128")
    with pytest.raises(ConnectionProblem) as failure:
        s.receive("Alice", where("$.frames is 128"))
    assert str(failure.value).startswith(f'In the step "{SEND_MANY}": Alice could not send: ')
    assert s.sends_problem() is None  # reported once


def test_a_send_the_server_never_reads_fails_the_next_step_in_its_time(stalling):
    server, s = stalling
    held_up_send(server, s)
    s.begin_step("Then Alice receives a message where $.frames is 128 within 200 ms")
    with pytest.raises(ConnectionProblem) as failure:
        s.receive("Alice", where("$.frames is 128"), timeout=0.2)
    assert str(failure.value) == (
        f'In the step "{SEND_MANY}": Alice could not finish sending within 200 ms: the '
        "server has stopped reading what Alice sends (the connection's buffers are full)."
    )
    s.close()  # the close frame cannot go out either: the connection is dropped in time
    assert all(c.finished for c in s.pool)


def failed_last_send(server: StallingServer, s: Session) -> SimpleNamespace:
    """A scenario whose last step's send failed after the step, and the behave context
    that ends it."""
    held_up_send(server, s)
    server.reset_connections()
    return SimpleNamespace(wsbdd=s, config=SimpleNamespace(junit=False))


def test_a_failed_send_in_the_last_step_fails_the_scenario(stalling):
    server, s = stalling
    context = failed_last_send(server, s)
    with pytest.raises(
        AssertionError, match=r'In the step "When Alice sends .*": Alice could not send: '
    ):
        after_scenario(context, SimpleNamespace(status=Status.passed))
    assert all(c.finished for c in s.pool)  # and its clients are closed all the same


def test_a_scenario_that_failed_already_is_not_blamed_twice(stalling):
    server, s = stalling
    context = failed_last_send(server, s)
    after_scenario(context, SimpleNamespace(status=Status.failed))  # does not raise
    assert all(c.finished for c in s.pool)
