"""The session API against real servers on loopback: happy paths, faults, clean shutdown."""

from __future__ import annotations

import asyncio
import os
import socket
import threading
import time

import pytest
from websockets.asyncio.server import serve

from wsbdd.facade.session import Run
from wsbdd.match import where
from wsbdd.model.errors import ConnectionProblem, ExpectationFailed, FeatureMistake
from wsbdd.settings.config import Settings


def reader_tasks(run: Run) -> list[str]:
    return run.loop_thread.call(
        lambda: sorted(
            t.get_name() for t in asyncio.all_tasks() if t.get_name().startswith("wsbdd-reader")
        )
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_send_and_receive_through_the_demo_server(s):
    s.connect("Alice")
    s.send("Alice", '{"type": "echo", "content": "hi"}')
    message = s.receive("Alice", where('$.type is "echo"'))
    assert message.json == {"type": "echo", "content": "hi", "n": 1}


def test_every_client_is_closed_and_its_reader_gone_after_the_scenario(run):
    session = run.session()
    session.connect_all(["A", "B", "C"])
    assert reader_tasks(run) == ["wsbdd-reader-A", "wsbdd-reader-B", "wsbdd-reader-C"]
    session.close()
    assert reader_tasks(run) == []
    assert all(c.outcome.closed_at is not None for c in session.pool)


def test_remember_stores_a_value_from_the_last_claimed_message(s):
    s.connect("Bob")
    s.send("Bob", '{"type": "whoami"}')
    s.receive("Bob", where('$.type is "you"'))
    client_id = s.remember("me", "$.client_id", "Bob")
    assert s.vars.get("me") == client_id and len(client_id) == 36
    with pytest.raises(ExpectationFailed, match=r"Bob's last message has no \$\.nothing"):
        s.remember("x", "$.nothing", "Bob")


def test_unknown_client_is_a_feature_mistake(s):
    s.connect("Alice")
    with pytest.raises(FeatureMistake) as info:
        s.receive("Zed", where('$.type is "chat"'))
    assert str(info.value) == (
        'There is no client called "Zed" in this scenario. Connect it first, e.g. '
        '"Given Zed is connected" (clients so far: Alice).'
    )


def test_a_refused_connection_fails_with_a_sentence():
    port = free_port()
    with Run.start(Settings(url=f"ws://127.0.0.1:{port}")) as run, run.session() as s:
        with pytest.raises(ConnectionProblem) as info:
            s.connect("Alice")
    assert str(info.value) == (
        f"Alice could not connect to ws://127.0.0.1:{port}: the connection was refused "
        "(is the server running on that port?)."
    )


def test_a_server_that_never_answers_the_handshake_times_out():
    accepted: list[asyncio.StreamWriter] = []

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        accepted.append(writer)

    settings = Settings(url="ws://127.0.0.1:1", connect_timeout=0.3)
    run = Run.start(settings)
    try:
        server = run.loop_thread.run(asyncio.start_server(silent, "127.0.0.1", 0), 5)
        port = server.sockets[0].getsockname()[1]
        run.base_url = f"ws://127.0.0.1:{port}"
        started = time.monotonic()
        with run.session() as s, pytest.raises(ConnectionProblem) as info:
            s.connect("Alice")
        assert time.monotonic() - started < 20  # the handshake deadline, not the bridge's
        assert "did not complete the WebSocket handshake within 0.3 s" in str(info.value)

        async def shut() -> None:
            for writer in accepted:
                writer.close()
            server.close()
            await server.wait_closed()

        run.loop_thread.run(shut(), 5)
    finally:
        run.close()


def test_a_connection_dropped_mid_wait_fails_at_once_not_at_the_deadline(s):
    s.connect("Alice")
    s.send("Alice", '{"type": "crash"}')
    started = time.monotonic()
    with pytest.raises(ExpectationFailed) as info:
        s.receive("Alice", where('$.type is "never"'), timeout=60)
    assert time.monotonic() - started < 30  # at once, not after the 60 s deadline
    assert str(info.value).endswith(
        "Alice's connection was lost without a closing handshake (1006) while waiting."
    )
    lost = "Alice can no longer send: the connection was lost without a closing handshake"
    with pytest.raises(ConnectionProblem, match=lost):
        s.send("Alice", "{}")


def test_the_next_scenario_starts_clean_after_a_failure(run):
    first = run.session()
    first.connect("Alice")
    first.send("Alice", '{"type": "crash"}')
    with pytest.raises(ExpectationFailed):
        first.receive("Alice", where('$.type is "never"'))
    first.close()
    with run.session() as second:
        second.connect("Alice")
        second.send("Alice", '{"type": "ping"}')
        assert second.receive("Alice", where('$.type is "pong"')).json["type"] == "pong"


def test_rejection_is_recorded_and_asserted(s):
    outcome = s.connect("Alice", "/secure", require=False)
    assert outcome.status == 401 and outcome.opened_at is None
    s.expect_rejected("Alice", 401)
    with pytest.raises(
        ExpectationFailed,
        match="rejected with status 403, but it was rejected with HTTP 401 Unauthorized, body",
    ):
        s.expect_rejected("Alice", 403)
    with pytest.raises(
        ConnectionProblem,
        match=r"Alice is not connected: the server rejected the handshake with HTTP 401",
    ):
        s.receive("Alice")


def test_tokens_travel_as_configured_and_are_masked_in_messages(run):
    with run.session() as s:
        outcome = s.connect("Alice", "/secure", token="alice-token")
        assert "alice-token" not in outcome.url
        assert s.receive("Alice", where('$.type is "authenticated"')).json["user"] == "alice"


def test_keepalive_pings_are_answered_while_no_step_runs():
    """A server with a very short ping timeout keeps a client that sits idle between steps."""

    async def handler(ws) -> None:
        await ws.wait_closed()

    holder: dict[str, object] = {}

    async def start() -> int:
        server = await serve(handler, "127.0.0.1", 0, ping_interval=0.05, ping_timeout=0.05)
        holder["server"] = server
        return server.sockets[0].getsockname()[1]

    with Run.start(Settings(url="ws://127.0.0.1:1")) as run:
        port = run.loop_thread.run(start(), 5)
        run.base_url = f"ws://127.0.0.1:{port}"
        with run.session() as s:
            s.connect("Alice")
            # Stand-in for a slow synchronous step: the main thread is busy, on purpose.
            threading.Event().wait(0.6)
            s.expect_connected("Alice")

        async def stop() -> None:
            server = holder["server"]
            server.close()  # type: ignore[attr-defined]
            await server.wait_closed()  # type: ignore[attr-defined]

        run.loop_thread.run(stop(), 5)


def test_run_close_leaves_no_tasks_and_a_closed_loop():
    run = Run.start(Settings())
    with run.session() as s:
        s.connect_all(["A", "B"])
    loop = run.loop_thread.loop
    run.close()
    assert loop.is_closed()
    assert not run.loop_thread.running


def test_no_compression_is_negotiated_unless_configured(s):
    outcome = s.connect("Alice")
    assert "Sec-WebSocket-Extensions" not in outcome.headers
    assert outcome.status == 101


def test_a_token_can_travel_in_a_header():
    from wsbdd.settings.config import TokenSettings

    settings = Settings(token=TokenSettings(place="header"))
    with Run.start(settings) as run, run.session() as s:
        s.connect("Alice", "/secure", token="bob-token")
        assert s.receive("Alice", where('$.type is "authenticated"')).json["user"] == "bob"


def test_a_token_can_travel_in_the_first_message():
    from wsbdd.settings.config import TokenSettings

    settings = Settings(token=TokenSettings(place="message"))
    with Run.start(settings) as run, run.session() as s:
        s.connect("Alice", "/login", token="alice-token")
        assert s.receive("Alice", where('$.type is "authenticated"')).json["user"] == "alice"
        assert s.client("Alice").sent[0].payload == '{"type": "auth", "token": "alice-token"}'


def test_strict_mode_waits_for_a_reply_still_on_its_way(run):
    # The scenario sends a ping and ends without reading the pong: strict mode
    # must catch the pong every time, not only when it beats the end of the scenario.
    for _ in range(5):
        with run.session(strict=True) as session:
            session.connect("Alice")
            session.send("Alice", '{"type": "ping"}')
            problems = session.strict_problems()
        assert problems is not None and problems.startswith(
            "Strict mode: Alice received 1 message nobody expected:"
        )
        assert '"type":"pong"' in problems.replace(" ", "")


def test_no_socket_is_left_open_after_the_run():
    def sockets() -> int:
        count = 0
        for fd in os.listdir("/proc/self/fd"):
            try:
                count += os.readlink(f"/proc/self/fd/{fd}").startswith("socket:")
            except OSError:
                continue  # closed while we looked (the listing's own descriptor, say)
        return count

    before = sockets()
    with Run.start(Settings(timeout=5.0)) as run, run.session() as session:
        session.connect_all(["A", "B", "C"])
        session.send("A", '{"type": "ping"}')
        session.receive("A", where('$.type is "pong"'))
        assert sockets() >= before + 6  # three clients and the demo server's three ends
    assert sockets() <= before


def watch_now(s, name: str, expectation) -> tuple[list, threading.Event]:
    """Start watching on the loop: what is delivered, and an event set when it is."""
    delivered: list = []
    told = threading.Event()

    def deliver(result) -> None:
        delivered.append(result)
        told.set()

    s.loop_thread.call(lambda: s.client(name).watch(expectation, deliver))
    return delivered, told


def test_a_watch_is_decided_by_the_frame_that_arrives(s):
    from wsbdd.expect import Receive

    s.connect("Alice")
    delivered, told = watch_now(s, "Alice", Receive("Alice", where('$.content is "w1"'), 5.0))
    assert delivered == []
    s.send("Alice", '{"type": "echo", "content": "w1"}')
    assert told.wait(5)
    (outcome,) = delivered
    assert outcome.met and outcome.messages[0].json["content"] == "w1"


def test_a_watch_the_inbox_decides_already_delivers_before_it_returns(s):
    from wsbdd.expect import Receive

    s.connect("Alice")
    s.send("Alice", '{"type": "echo", "content": "there"}')
    s.receive("Alice", where('$.content is "there"'))
    delivered, _ = watch_now(s, "Alice", Receive("Alice", where('$.type is "welcome"'), 5.0))
    assert delivered[0].met  # the welcome was still unclaimed


def test_a_watch_past_its_deadline_delivers_the_failure(s):
    from wsbdd.expect import Receive

    s.connect("Alice")
    delivered, told = watch_now(s, "Alice", Receive("Alice", where('$.content is "x"'), 0.05))
    assert told.wait(5)
    assert not delivered[0].met
    assert "Alice expected a message where $.content is" in delivered[0].failure


def test_a_matcher_that_breaks_fails_its_step_and_the_reader_keeps_reading(s):
    from wsbdd.match.messages import MessageMatcher

    class Broken(MessageMatcher):
        def matches(self, message, mismatch_description=None):
            raise RuntimeError("a matcher bug")

        def describe(self) -> str:
            return "broken"

    s.connect("Alice")
    s.receive("Alice", where('$.type is "welcome"'))
    # The reply comes while the step waits: the reader meets the broken matcher.
    s.send("Alice", '{"type": "delay", "ms": 100, "content": "later"}')
    with pytest.raises(RuntimeError, match="a matcher bug"):
        s.receive("Alice", Broken(), timeout=5)
    s.send("Alice", '{"type": "echo", "content": "still reading"}')
    assert s.receive("Alice", where('$.content is "still reading"'))


def test_a_count_that_settles_is_decided_at_its_new_deadline_not_the_first(s):
    from wsbdd.expect import Count

    s.connect("Alice")
    s.receive("Alice", where('$.type is "welcome"'))
    for n in range(3):  # the replies come while the count waits
        s.send("Alice", f'{{"type": "delay", "ms": 100, "content": "c{n}"}}')
    # An hour to reach 3, then 50 ms of settling: done in 50 ms, or this bridge's own
    # 5 s bound fails the test (the count may not wait out its first deadline).
    count = Count("Alice", "exactly", 3, where('$.type is "delayed"'), 3600.0, 0.05)
    client = s.client("Alice")
    outcome = s.loop_thread.run_callback(lambda deliver: client.watch(count, deliver), 5)
    assert outcome.met and len(outcome.messages) == 3


@pytest.mark.parametrize("wait", ["receive", "quiet window"])
def test_a_wait_that_only_its_deadline_decides_is_decided_at_the_deadline(s, wait):
    # Nothing else happens on the loop meanwhile: no frame, no other timer due.  The
    # step does not wake the loop to set its timer; it must wake it at the deadline, or
    # the wait would end at the bridge's safety net with a TimeoutError instead.
    s.connect("Alice")
    s.receive("Alice", where('$.type is "welcome"'))
    if wait == "receive":
        with pytest.raises(ExpectationFailed, match=r"Alice expected .* within 200 ms"):
            s.receive("Alice", where('$.type is "never sent"'), timeout=0.2)
    else:
        s.receive_nothing("Alice", window=0.2)
    s.send("Alice", '{"type": "echo", "content": "after"}')  # and the loop goes on as ever
    assert s.receive("Alice", where('$.content is "after"'))


@pytest.mark.parametrize("reached", [0, 3])
def test_a_wait_whose_deadline_comes_before_its_timeout_is_decided_then(s, reached):
    # A count that has its number settles for 50 ms, then is met: its timer is due long
    # before its hour-long timeout.  The step sets that timer without waking the loop,
    # so it must wake the loop when that timer is due, or this bridge's own 5 s bound
    # fails the test.
    from wsbdd.expect import Count

    s.connect("Alice")
    s.receive("Alice", where('$.type is "welcome"'))
    for n in range(reached):
        s.send("Alice", f'{{"type": "echo", "content": "c{n}"}}')
    count = Count("Alice", "exactly", reached, where('$.type is "echo"'), 3600.0, 0.05)
    client = s.client("Alice")
    outcome = s.loop_thread.run_callback(lambda deliver: client.watch(count, deliver), 5)
    assert outcome.met


@pytest.mark.parametrize("road", ["turns", "no turns"])
def test_steps_behave_the_same_whether_or_not_the_loop_takes_turns(road, monkeypatch):
    # Without turns (uvloop; asyncio's debug mode; a Python lacking what turns rely on)
    # the loop's own thread runs what the steps ask of it: slower, the same answers.
    with Run.start(Settings(timeout=5.0, ignore=('$.type is "welcome"',))) as run:
        if road == "no turns":
            run.loop_thread.loop.can_take_turns = False
        assert run.loop_thread._takes_turns() is (road == "turns")
        with run.session() as s:
            s.connect_all(["Alice", "Bob"])
            for n in range(5):
                s.send("Alice", f'{{"type": "echo", "content": "a{n}"}}')
            for n in range(5):
                assert s.receive("Alice", where('$.type is "echo"')).json["content"] == f"a{n}"
            with pytest.raises(ExpectationFailed, match="within 200 ms"):
                s.receive("Bob", where('$.type is "never sent"'), timeout=0.2)
            s.receive_nothing("Bob", window=0.2)
            s.disconnect("Bob")
            monkeypatch.setattr(s, "client", lambda name, need_open=False: s.pool.get(name))
            with pytest.raises(ConnectionProblem, match="Bob could not send"):
                s.send("Bob", '{"type": "echo"}')
