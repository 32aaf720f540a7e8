"""Reconnection against real servers on 127.0.0.1: the bundled demo (raw WebSocket) and
small websockets servers that close or go away.

A client connected with reconnection that loses its connection opens a new one by
itself, keeps its inbox (and the steps waiting on it), and the transcript tells the
story; a step that closes the connection never makes it reconnect.  Socket.IO's own
behaviour (new sid, io server disconnect, recovery) is in test_reconnection_socketio.py.
"""

from __future__ import annotations

import asyncio
import re
import threading
from typing import Any

import pytest
from websockets.asyncio.server import ServerConnection

from tests.loopback import ThreadedServer
from wsbdd.facade.session import Run
from wsbdd.match import where
from wsbdd.model.errors import ConnectionProblem, ExpectationFailed
from wsbdd.model.reconnection import ReconnectPolicy
from wsbdd.report.text import transcript_text
from wsbdd.settings.config import Settings

TIMES = re.compile(r"^\+\S+ \S+\s+\d\d:\d\d:\d\d\.\d{3}  ")
FAST = ReconnectPolicy(attempts=3, delay=0.05, max_delay=0.1)


@pytest.fixture(scope="module")
def run():
    settings = Settings(timeout=5.0, ignore=('$.type is "welcome"',), reconnection=FAST)
    with Run.start(settings) as run:
        yield run


@pytest.fixture
def s(run):
    with run.session() as session:
        yield session


def lines(s) -> list[str]:
    """The transcript's lines after the time columns: ``Alice  reconnected (attempt 1)``."""
    text = transcript_text(s.transcript())
    return [TIMES.sub("", line).strip() for line in text.splitlines()]


def join(s, name: str) -> None:
    s.send(name, f'{{"type": "join", "room": "lobby", "name": "{name}"}}')


def test_a_dropped_client_reconnects_and_keeps_its_inbox(s):
    s.connect("Alice", reconnection=True)
    s.connect("Bob")
    join(s, "Alice")
    join(s, "Bob")
    s.receive("Alice", where('$.type is "user_joined" and $.user is "Bob"'))
    first = s.client("Alice").outcome
    s.drop("Alice")
    s.expect_reconnected("Alice", 5)
    client = s.client("Alice")
    assert client.connected and client.outcome is not first
    # The answer to the first join came before the loss and is still there, unread.
    s.receive("Alice", where('$.type is "joined" and $.members has length 1'))
    join(s, "Alice")  # the demo forgot her: a new session
    joined = s.receive("Alice", where('$.type is "joined"'))
    assert sorted(joined.json["members"]) == ["Alice", "Bob"]
    s.expect_recovered("Alice", False)
    said = [line for line in lines(s) if line.startswith("Alice") and "connect" in line]
    assert said == [
        "Alice  connecting to " + first.url,
        "Alice  connected",
        "Alice  lost the connection (dropped without a closing handshake, 1006)",
        "Alice  reconnected (attempt 1)",
    ]


def test_a_step_waiting_for_a_message_waits_through_the_gap(s):
    s.connect("Alice", reconnection=True)
    first = s.receive("Alice", where('$.type is "welcome"'))
    s.drop("Alice")
    # Asked during the gap: only the new connection's greeting can answer it.
    welcome = s.receive("Alice", where('$.type is "welcome"'), timeout=5)
    assert welcome.seq > first.seq and welcome.at >= s.client("Alice").outcome.started_at
    s.expect_reconnected("Alice", 5)


def test_without_reconnection_a_dropped_client_stays_lost(s):
    s.connect("Alice")
    s.drop("Alice")
    outcome = s.expect_disconnected("Alice")
    assert outcome.lost and not s.client("Alice").reconnects


def test_a_client_closed_by_a_step_never_reconnects(s):
    s.connect("Alice", reconnection=True)
    s.disconnect("Alice")
    with pytest.raises(ExpectationFailed):
        s.expect_reconnected("Alice", 0.3)
    assert not s.client("Alice").reconnects


def test_the_setting_reconnects_every_client_unless_a_step_says_no():
    policy = ReconnectPolicy(enabled=True, attempts=2, delay=0.05)
    with Run.start(Settings(reconnection=policy)) as run, run.session() as s:
        s.connect("Alice")
        s.connect("Bob", reconnection=False)
        s.drop("Alice")
        s.drop("Bob")
        s.expect_reconnected("Alice", 5)
        assert s.client("Alice").connected
        assert s.client("Bob").finished and not s.client("Bob").reconnects


def test_each_loss_is_claimed_by_one_reconnects_step(s):
    s.connect("Alice", reconnection=True)
    s.drop("Alice")
    s.expect_reconnected("Alice", 5)
    s.drop("Alice")
    s.expect_reconnected("Alice", 5)
    assert [r.attempt for r in s.client("Alice").reconnects] == [1, 1]
    with pytest.raises(ExpectationFailed):
        s.expect_reconnected("Alice", 0.2)  # no third loss


def test_a_send_during_the_gap_says_the_client_is_reconnecting():
    slow = ReconnectPolicy(attempts=1, delay=2.0)
    with Run.start(Settings(reconnection=slow)) as run, run.session() as s:
        s.connect("Alice", reconnection=True)
        s.drop("Alice")
        with pytest.raises(ConnectionProblem):
            s.send("Alice", "hi")


def test_closing_the_scenario_stops_a_reconnection_under_way():
    slow = ReconnectPolicy(attempts=3, delay=5.0)
    with Run.start(Settings(reconnection=slow)) as run:
        with run.session() as s:
            s.connect("Alice", reconnection=True)
            s.drop("Alice")
            client = s.client("Alice")
            assert client.reconnecting
        # The session closed during the backoff: the task ended, nothing reconnected.
        assert not client.reconnecting and client.finished
        assert client.reconnects[-1].stopped == "a step closed the connection"
        assert client.reconnects[-1].at is None

        async def tasks() -> list[str]:
            return [t.get_name() for t in asyncio.all_tasks()]

        assert not [t for t in run.loop_thread.run(tasks(), 5) if "reconnect" in t]


class ClosesOnBye(ThreadedServer):
    """Echoes; on "bye" closes the connection with 1012 (service restart), as a server
    being redeployed does."""

    connections = 0

    async def handler(self, ws: ServerConnection) -> None:
        type(self).connections += 1
        await ws.send(f"hello {self.connections}")
        async for message in ws:
            if message == "bye":
                await ws.close(1012, "restarting")
                return
            await ws.send(message)


def test_a_server_that_closes_the_connection_is_reconnected_to(s):
    with ClosesOnBye() as server:
        s.connect("Alice", f"ws://127.0.0.1:{server.port}", reconnection=True)
        s.receive("Alice", where('$ is "hello 1"'))
        s.send("Alice", "bye")
        s.expect_reconnected("Alice", 5)
        s.receive("Alice", where('$ is "hello 2"'))
        s.send("Alice", "still here")
        s.receive("Alice", where('$ is "still here"'))
    assert 'Alice  lost the connection (closed with code 1012 and reason "restarting")' in lines(s)


class Echo(ThreadedServer):
    async def handler(self, ws: ServerConnection) -> None:
        async for message in ws:
            await ws.send(message)


def test_a_server_that_went_away_is_given_up_on_after_the_attempts(s):
    with Echo() as server:
        s.connect("Alice", f"ws://127.0.0.1:{server.port}", reconnection=True)
    # The server is gone (it closed with 1001): each attempt is refused.
    with pytest.raises(ExpectationFailed):
        s.expect_reconnected("Alice", 5)
    record = s.client("Alice").reconnects[-1]
    assert [a.number for a in record.failed] == [1, 2, 3]
    assert record.gave_up_at is not None and s.client("Alice").finished
    said = [line for line in lines(s) if "attempt" in line]
    assert len(said) == 4 and said[-1].startswith("Alice  gave up reconnecting after 3 attempts")
    assert said[0].startswith("Alice  reconnect attempt 1 failed: ")


def test_the_delays_double_up_to_the_bound():
    assert ReconnectPolicy().delays() == [0.2, 0.4, 0.8, 1.6, 2.0]
    assert ReconnectPolicy(attempts=3, delay=1, max_delay=1.5).delays() == [1, 1.5, 1.5]


def test_the_report_draws_the_loss_and_the_reconnection_as_marks(s):
    from wsbdd.report.collect import Conversation
    from wsbdd.report.diagram import build_diagram

    s.connect("Alice", reconnection=True)
    s.drop("Alice")
    s.expect_reconnected("Alice", 5)
    events = s.transcript()
    diagram = build_diagram(Conversation(events, [], events[0].at))
    assert diagram is not None
    marks = [(row.mark, row.summary) for row in diagram.rows if row.kind == "mark"]
    assert ("lost", "lost the connection (dropped without a closing handshake, 1006)") in marks
    assert ("reconnected", "reconnected (attempt 1)") in marks


def test_a_step_waiting_when_the_client_gives_up_says_why(s):
    with Echo() as server:
        s.connect("Alice", f"ws://127.0.0.1:{server.port}", reconnection=True)
    with pytest.raises(ExpectationFailed) as failed:
        s.receive("Alice", where('$ is "anything"'), timeout=5)
    assert (
        "Alice's connection was lost (closed with code 1001), and Alice gave up reconnecting "
        "after 3 attempts (the last: the connection was refused (is the server running on "
        "that port?)) while waiting."
    ) in str(failed.value), str(failed.value)


def test_the_settings_read_from_the_files_the_environment_and_d(tmp_path):
    from wsbdd.settings.config import load_settings

    (tmp_path / "wsbdd.toml").write_text(
        '[reconnection]\nattempts = 3\ndelay = "50 ms"\n\n[socketio]\nreconnection = true\n'
    )
    settings = load_settings(tmp_path, environ={"WSBDD_RECONNECTION_MAX_DELAY": "1 s"})
    assert settings.reconnection == ReconnectPolicy(
        enabled=True, attempts=3, delay=0.05, max_delay=1.0
    )
    off = load_settings(tmp_path, userdata={"wsbdd.reconnection.enabled": "false"}, environ={})
    assert off.reconnection.enabled is False
    # Both spellings in the file, -D saying no: -D wins, whichever spelling the file used.
    (tmp_path / "wsbdd.toml").write_text(
        "[reconnection]\nenabled = true\n\n[socketio]\nreconnection = true\n"
    )
    off = load_settings(tmp_path, userdata={"wsbdd.reconnection.enabled": "false"}, environ={})
    assert off.reconnection.enabled is False
    assert load_settings(tmp_path / "nothing", environ={}).reconnection == ReconnectPolicy()


class StallsTheSecondHandshake(ThreadedServer):
    """Accepts one WebSocket; the next handshake is never answered (a server half up)."""

    def __init__(self) -> None:
        super().__init__()
        self.second = threading.Event()
        self.requests = 0
        self.serve_options = {"process_request": self.process_request}

    async def process_request(self, connection: Any, request: Any) -> None:
        self.requests += 1
        if self.requests > 1:
            self.second.set()
            assert self._stop is not None
            await asyncio.shield(self._stop)  # the handshake hangs until the server stops

    async def handler(self, ws: ServerConnection) -> None:
        await ws.wait_closed()


def test_closing_the_scenario_stops_an_attempt_in_the_middle_of_its_handshake():
    with StallsTheSecondHandshake() as server, Run.start(Settings(reconnection=FAST)) as run:
        with run.session() as s:
            s.connect("Alice", f"ws://127.0.0.1:{server.port}", reconnection=True)
            s.drop("Alice")
            assert server.second.wait(10)  # the attempt is waiting for the server
            client = s.client("Alice")
            assert client.reconnecting
        assert not client.reconnecting and client.finished
        assert client.reconnects[-1].stopped and client.reconnects[-1].at is None

        async def tasks() -> list[str]:
            return [t.get_name() for t in asyncio.all_tasks()]

        left = run.loop_thread.run(tasks(), 5)
        assert not [name for name in left if "reconnect" in name or "Alice" in name]
