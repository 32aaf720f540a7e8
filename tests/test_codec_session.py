"""Codecs end to end: a user codec and auto_reply against real servers on loopback.

The line protocol of tests/line_codec.py (HELLO/WELCOME, PING/PONG keep-alives the
server enforces, BEATs on a timer, JSON events) through Session, and a raw server
that drops a client that does not answer its application-level ``ping``, answered by
an ``auto_reply`` rule alone.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import threading
from pathlib import Path

import pytest
from line_codec import LineCodec, Say
from loopback import ThreadedServer
from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed

from wsbdd.codec import AutoReply, BaseCodec, register_codec
from wsbdd.facade.session import Run
from wsbdd.match import where
from wsbdd.model.errors import ConnectionProblem, FeatureMistake
from wsbdd.settings.config import Settings

PING_EVERY = 0.05
PONG_WITHIN = 1.0  # generous: the machine is shared; the client answers within a loop turn
ENOUGH = 8  # pongs in a row that show keep-alives are answered


class KeepAliveServer(ThreadedServer):
    """Pings every PING_EVERY with ``ping_frame(n)``; closes 4000 "no pong" when one ping
    stays unanswered PONG_WITHIN; sets ``enough`` after ENOUGH pongs."""

    def __init__(self) -> None:
        super().__init__()
        self.pongs = 0
        self.enough = threading.Event()
        self.bye = threading.Event()
        self.dropped = threading.Event()

    def ping_frame(self, n: int) -> str:
        raise NotImplementedError

    def is_pong(self, frame: str) -> bool:
        raise NotImplementedError

    async def keep_alive(self, ws: ServerConnection, answered: asyncio.Event) -> None:
        n = 0
        while True:
            n += 1
            answered.clear()
            await ws.send(self.ping_frame(n))
            try:
                await asyncio.wait_for(answered.wait(), PONG_WITHIN)
            except TimeoutError:
                self.dropped.set()
                await ws.close(4000, "no pong")
                return
            await asyncio.sleep(PING_EVERY)  # the server's own pace, not a test's wait

    def pong(self, answered: asyncio.Event) -> None:
        self.pongs += 1
        answered.set()
        if self.pongs >= ENOUGH:
            self.enough.set()


class LineServer(KeepAliveServer):
    serve_options = {"subprotocols": ["line.v1"]}

    def ping_frame(self, n: int) -> str:
        return f"PING {n}"

    async def handler(self, ws: ServerConnection) -> None:
        hello = await ws.recv()
        assert isinstance(hello, str)
        if hello == "HELLO bad":
            await ws.send("DENIED bad name")
            return
        if hello == "HELLO forbidden":
            await ws.close(4403, "Forbidden")
            return
        if hello == "HELLO silent":
            await ws.wait_closed()
            return
        await ws.send("WELCOME")
        answered = asyncio.Event()
        pinging = asyncio.create_task(self.keep_alive(ws, answered))
        try:
            async for line in ws:
                assert isinstance(line, str)
                if line.startswith("PONG "):
                    self.pong(answered)
                elif line == "BEAT":
                    await ws.send("EVENT " + json.dumps({"type": "beat-seen"}))
                elif line.startswith("SAY "):
                    await ws.send("EVENT " + line[4:])
                elif line == "BYE":
                    self.bye.set()
        except ConnectionClosed:
            pass
        finally:
            pinging.cancel()


class RawPingServer(KeepAliveServer):
    """Says hello in JSON, then pings with the text ``ping`` and wants ``pong`` back."""

    def ping_frame(self, n: int) -> str:
        return "ping"

    async def handler(self, ws: ServerConnection) -> None:
        await ws.send(json.dumps({"type": "hello"}))
        answered = asyncio.Event()
        pinging = asyncio.create_task(self.keep_alive(ws, answered))
        try:
            async for frame in ws:
                if frame == "pong":
                    self.pong(answered)
                else:
                    await ws.send(frame)  # an echo
        except ConnectionClosed:
            pass
        finally:
            pinging.cancel()


@pytest.fixture
def line_server():
    with LineServer() as server:
        yield server


@pytest.fixture
def raw_server():
    with RawPingServer() as server:
        yield server


def session_for(server: ThreadedServer, **settings):
    run = Run.start(Settings(url=f"ws://127.0.0.1:{server.port}", timeout=5.0, **settings))
    return run, run.session()


@pytest.fixture
def line_session(line_server):
    run, session = session_for(line_server, codec="line_codec:LineCodec")
    with run, session:
        yield session


# -- a user codec ------------------------------------------------------------------------------


def test_the_codec_says_hello_and_the_client_is_connected_once_welcomed(line_session):
    outcome = line_session.connect("Alice")
    assert outcome.subprotocol == "line.v1"  # offered by the codec
    assert outcome.opened_at is not None
    line_session.expect_connected("Alice")


def test_a_send_is_encoded_and_an_event_is_decoded_into_the_value_matchers_see(line_session):
    line_session.connect("Alice")
    line_session.send("Alice", json.dumps({"type": "said", "text": "hi"}))
    message = line_session.receive("Alice", where('$.type is "said"', '$.text is "hi"'))
    assert message.value == {"type": "said", "text": "hi"}
    assert message.raw == 'EVENT {"type": "said", "text": "hi"}'  # what transcripts show
    sent = [e.payload for e in line_session.transcript() if e.kind == "sent"]
    assert sent == ['SAY {"type": "said", "text": "hi"}']


def test_an_intent_goes_out_as_the_frames_its_codec_made_and_the_transcript_shows_them(
    line_session,
):
    line_session.connect("Alice")
    line_session.begin_step('When Alice says {"type": "said", "text": "hi"}')
    line_session.send("Alice", Say({"type": "said", "text": "hi"}))
    line_session.begin_step('Then Alice hears an event where $.text is "hi"')
    message = line_session.receive("Alice", where('$.text is "hi"'))
    assert message.value == {"type": "said", "text": "hi"}  # what JSONPath saw
    assert message.raw == 'EVENT {"type": "said", "text": "hi"}'  # what the wire carried
    events = {e.kind: e for e in line_session.transcript() if e.kind in ("sent", "received")}
    assert (events["sent"].frame, events["sent"].payload) == (
        "text",
        'SAY {"type": "said", "text": "hi"}',
    )
    assert events["sent"].step is not None and events["sent"].step.text.startswith(
        "When Alice says"
    )
    assert events["received"].payload == message.raw
    assert events["received"].detail["value"] == message.value  # shown beside the frame


def test_an_intent_the_codec_refuses_fails_the_step_in_one_sentence(line_session):
    line_session.connect("Alice")
    line_session.begin_step("When Alice says the bytes 01")
    with pytest.raises(FeatureMistake) as refused:
        line_session.send("Alice", b"\x01")
    assert str(refused.value) == (
        'In the step "When Alice says the bytes 01": The line codec cannot send bytes: '
        "it sends text or a Say, not bytes."
    )
    # Nothing went out, the connection is as it was, and the next send works.
    assert [e for e in line_session.transcript() if e.kind == "sent"] == []
    line_session.expect_connected("Alice")
    line_session.send("Alice", Say({"type": "after"}))
    line_session.receive("Alice", where('$.type is "after"'))


def test_intents_go_through_groups_and_many_sends_the_same_way(line_session):
    names = ["Alice", "Bob"]
    line_session.connect_all(names)
    line_session.send_each(names, [Say({"to": "Alice"}), Say({"to": "Bob"})])
    line_session.send_many("Alice", [Say({"n": 1}), '{"n": 2}'])
    line_session.receive("Bob", where('$.to is "Bob"'))
    for expected in ('$.to is "Alice"', "$.n is 1", "$.n is 2"):
        line_session.receive("Alice", where(expected))
    line_session.begin_step("When everyone sends bytes")
    with pytest.raises(FeatureMistake) as refused:
        line_session.send_each(names, [b"\x01", b"\x02"])
    assert str(refused.value) == (
        'In the step "When everyone sends bytes": The line codec cannot send bytes: '
        "it sends text or a Say, not bytes."
    )
    with pytest.raises(FeatureMistake) as refused:
        line_session.send_many("Bob", [Say({}), 7])
    assert str(refused.value) == (
        'In the step "When everyone sends bytes": The line codec cannot send an int: '
        "it sends text or a Say, not int."
    )


def test_the_reader_answers_the_servers_keep_alives_between_steps(line_session, line_server):
    line_session.connect("Alice")
    # No step runs while we wait here: the loop thread's reader answers each PING.
    assert line_server.enough.wait(10), f"only {line_server.pongs} pongs"
    line_session.expect_connected("Alice")
    assert not line_server.dropped.is_set()
    inbox = line_session.client("Alice").inbox
    assert len(inbox) == 0  # pings are protocol chatter, not messages
    assert [e for e in line_session.transcript() if e.kind in ("sent", "received")] == []


def test_the_codecs_timer_sends_heart_beats(line_server):
    register_codec("line-beating", lambda: LineCodec(beat=0.05), replace=True)
    run, session = session_for(line_server, codec="line-beating")
    with run, session:
        session.connect("Alice")
        session.receive("Alice", where('$.type is "beat-seen"'))
        session.receive("Alice", where('$.type is "beat-seen"'))


def test_a_refusal_in_the_apps_handshake_fails_the_connect_in_one_sentence(line_server):
    register_codec("line-bad", lambda: LineCodec(user="bad"), replace=True)
    run, session = session_for(line_server, codec="line-bad")
    with run, session:
        with pytest.raises(ConnectionProblem) as failed:
            session.connect("Alice")
        assert str(failed.value) == (
            f"Alice could not connect to ws://127.0.0.1:{line_server.port}: "
            "the server denied the HELLO (bad name)."
        )
        assert not session.client("Alice").connected


def test_an_app_handshake_that_never_completes_fails_within_the_connect_timeout(line_server):
    register_codec("line-silent", lambda: LineCodec(user="silent"), replace=True)
    run, session = session_for(line_server, codec="line-silent", connect_timeout=0.3)
    with run, session:
        with pytest.raises(ConnectionProblem) as failed:
            session.connect("Alice")
        assert "the server did not complete the line handshake within 0.3 s" in str(failed.value)


def test_a_server_closing_during_the_apps_handshake_fails_the_connect(line_server):
    register_codec("line-forbidden", lambda: LineCodec(user="forbidden"), replace=True)
    run, session = session_for(line_server, codec="line-forbidden")
    with run, session:
        with pytest.raises(ConnectionProblem) as failed:
            session.connect("Alice")
        assert str(failed.value).endswith(
            ': the connection closed with code 4403 and reason "Forbidden" during the line '
            "handshake."
        )


def test_closing_sends_the_codecs_farewell_first(line_session, line_server):
    line_session.connect("Alice")
    line_session.disconnect("Alice")
    assert line_server.bye.wait(5)
    assert line_session.client("Alice").outcome.close_code == 1000


# -- auto_reply ----------------------------------------------------------------------------------


def test_without_an_answer_the_server_drops_the_client(raw_server):
    run, session = session_for(raw_server)
    with run, session:
        session.connect("Alice")
        session.expect_disconnected("Alice", code=4000, reason="no pong")


def test_auto_reply_keeps_the_client_connected_between_steps(raw_server):
    run, session = session_for(raw_server, auto_reply=(AutoReply("pong", when="ping"),))
    with run, session:
        session.connect("Alice")
        assert raw_server.enough.wait(10), f"only {raw_server.pongs} pongs"
        session.expect_connected("Alice")
        session.send("Alice", "echo me")
        session.receive("Alice", where('$ is "echo me"'))
        received = [e.payload for e in session.transcript() if e.kind == "received"]
        sent = [e.payload for e in session.transcript() if e.kind == "sent"]
        # The pings and pongs are left out: the conversation is what the steps did.
        assert received == ['{"type": "hello"}', "echo me"] and sent == ["echo me"]
        # Raw WebSocket: the frame is the value; the transcript keeps no copy of it.
        assert all("value" not in e.detail for e in session.transcript())
        assert session.client("Alice").codec.answered >= ENOUGH


# -- load steps go through the codec ---------------------------------------------------------------


def test_a_load_step_sends_through_the_codec_and_counts_what_it_sent(line_session):
    from wsbdd.load.driver import SENTINEL, LoadDriver

    load = LoadDriver.of(line_session)
    names = ["c1", "c2", "c3"]
    load.connect("crowd", names)
    echo = json.dumps({"type": "echo", "content": f"ping {SENTINEL}"})
    texts = load.payloads(names, [echo] * 3)
    sent = load.send_closed("crowd", names, texts, 4, reply=where('$.type is "echo"').matches)
    assert sent.sent == 12
    metrics = load.expect_delivered(None)
    assert (metrics.expected, metrics.delivered, metrics.lost) == (12, 12, 0)
    for name in names:
        client = line_session.client(name)
        # SAY frames (the codec's encoding) reached the server, which echoed EVENTs;
        # the crowd's sends are counted, not kept for the transcript.
        assert client.sent_by_load == 4 and client.sent == []


class SayOnlyCodec(LineCodec):
    """The line protocol for a codec that sends only its own intent, never plain text."""

    def encode(self, intent):
        if isinstance(intent, str):
            raise TypeError("it sends a Say, not text")
        return super().encode(intent)


@pytest.mark.parametrize("how", ["paced", "closed"])
def test_a_load_step_whose_text_the_codec_refuses_fails_in_one_sentence(line_server, how):
    from wsbdd.load.driver import SENTINEL, LoadDriver

    register_codec("say-only", SayOnlyCodec, replace=True)
    run, session = session_for(line_server, codec="say-only")
    with run, session:
        load = LoadDriver.of(session)
        names = ["c1", "c2"]
        load.connect("crowd", names)
        texts = load.payloads(names, [json.dumps({"type": "echo", "content": SENTINEL})] * 2)
        with pytest.raises(FeatureMistake) as refused:
            if how == "paced":
                load.send("crowd", names, texts, [0.0, 0.01])
            else:
                load.send_closed("crowd", names, texts, 2)
        # Before, the senders' gathered TypeErrors were dropped: the step passed, sending nothing.
        assert str(refused.value) == "The line codec cannot send text: it sends a Say, not text."
        assert [session.client(n).sent_by_load for n in names] == [0, 0]


# -- a codec's own bug ---------------------------------------------------------------------------


class CrashingCodec(BaseCodec):
    """Raw WebSocket, except that it has a bug: the frame ``BOOM`` makes it raise."""

    name = "crashing"

    def decode(self, frame, at):
        if frame == "BOOM":
            raise ValueError("boom")
        return None


def test_a_codec_that_raises_closes_the_connection_and_says_why(raw_server):
    register_codec("crashing", CrashingCodec, replace=True)
    run, session = session_for(
        raw_server, codec="crashing", auto_reply=(AutoReply("pong", when="ping"),)
    )
    with run, session:
        session.connect("Alice")
        session.send("Alice", "BOOM")  # the server echoes it
        session.expect_disconnected("Alice", code=1011)
        client = session.client("Alice")
        assert client.how_it_ended() == (
            'closed with code 1011 and reason "wsbdd codec error" after the crashing codec '
            "failed on a frame (ValueError: boom)"
        )
        assert [m.raw for m in client.inbox] == ['{"type": "hello"}', "BOOM"]  # nothing lost


class BrokenOpening(BaseCodec):
    name = "broken"

    def opening(self, subprotocol, now):
        raise KeyError("sid")


class BrokenTimer(BaseCodec):
    name = "late"

    def next_deadline(self):
        return 0.0  # at once

    def tick(self, now):
        raise RuntimeError("no beat")


def test_a_codec_that_raises_when_opening_fails_the_connect_in_words(raw_server):
    register_codec("broken-opening", BrokenOpening, replace=True)
    run, session = session_for(raw_server, codec="broken-opening")
    with run, session:
        with pytest.raises(ConnectionProblem) as failed:
            session.connect("Alice")
        assert str(failed.value).endswith(": the broken codec failed to open (KeyError: 'sid').")


def test_a_codec_whose_timer_raises_closes_the_connection_and_says_why(raw_server):
    register_codec("broken-timer", BrokenTimer, replace=True)
    run, session = session_for(raw_server, codec="broken-timer")
    with run, session:
        session.connect("Alice")
        session.expect_disconnected("Alice", code=1011)
        assert (
            session.client("Alice")
            .how_it_ended()
            .endswith("after the late codec failed on its timer (RuntimeError: no beat)")
        )


# -- through behave, as a user runs it ----------------------------------------------------------

FEATURE = """\
Feature: a line protocol through a user codec
  Scenario: an event comes back decoded while the reader answers the pings
    Given Alice is connected
    When Alice sends {"type": "said", "text": "hi"}
    Then Alice receives a message where $.type is "said" and $.text is "hi"
    And Alice receives no message within 0.6 seconds
    And Alice is still connected
"""


def test_a_project_codec_runs_under_behave(line_server, tmp_path):
    from test_behave_runs import behave, failures, make_project

    project = make_project(
        tmp_path,
        FEATURE,
        f"""\
        [tool.wsbdd]
        url = "ws://127.0.0.1:{line_server.port}"
        codec = "line_proto:LineCodec"
        """,
    )
    shutil.copy(Path(__file__).with_name("line_codec.py"), project / "line_proto.py")
    result = behave(project, "-f", "plain")
    output = result.stdout + result.stderr
    assert result.returncode == 0, failures(output)
    assert "1 scenario passed, 0 failed" in output
    assert line_server.pongs >= 1 and not line_server.dropped.is_set()
