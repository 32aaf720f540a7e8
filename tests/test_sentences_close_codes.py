"""The true close code: when wsbdd's own client fails the connection (the server sent
invalid UTF-8, a frame over max_size, a close frame with a code nobody may send), the
steps see the code and reason wsbdd sent, not 1006, and at once, though the server
keeps its TCP connection open."""

from __future__ import annotations

import time

import pytest
from loopback import ThreadedServer
from sentences import assert_raises_sentence, run_step

from wsbdd.facade.session import Run
from wsbdd.model.errors import ExpectationFailed
from wsbdd.settings.config import Settings


class Hostile(ThreadedServer):
    """Accepts the handshake, then sends what the WebSocket protocol forbids (raw bytes on
    its transport) and keeps the TCP connection open without ever answering a close."""

    def __init__(self, frames: bytes) -> None:
        super().__init__()
        self.frames = frames

    async def handler(self, ws) -> None:
        if self.frames:
            ws.transport.write(self.frames)
        else:
            await ws.send("x" * 4096)  # over the client's max_size of 1024
        await ws.wait_closed()  # never reads, never answers a close: ends when dropped


CASES = {
    "invalid UTF-8": (
        b"\x81\x02\xff\xfe",
        1007,
        "was closed by wsbdd's client with code 1007 and reason \"invalid start byte at "
        'position 0" (the server sent what the WebSocket protocol forbids)',
    ),
    "a frame over max_size": (
        b"",
        1009,
        "was closed by wsbdd's client with code 1009 and reason \"frame with 4096 bytes "
        'exceeds limit of 1024 bytes" (a message over the max_size setting; raise it if such '
        "messages are right)",
    ),
    "a close code nobody may send": (
        b"\x88\x02\x03\xe7",
        1002,
        'was closed by wsbdd\'s client with code 1002 and reason "invalid status code" (the '
        "server sent what the WebSocket protocol forbids)",
    ),
}


@pytest.fixture(params=list(CASES))
def hostile(request):
    frames, code, described = CASES[request.param]
    with Hostile(frames) as server:
        settings = Settings(
            url=f"ws://127.0.0.1:{server.port}", timeout=3.0, close_timeout=1.0, max_size=1024
        )
        with Run.start(settings) as run, run.session() as session:
            session.connect("Alice")
            yield session, code, described


def test_the_step_sees_the_code_wsbdd_sent_at_once(hostile):
    s, code, _ = hostile
    started = time.monotonic()
    run_step(s, f"Then Alice is disconnected with code {code}")
    assert time.monotonic() - started < 1.5  # not the step's timeout of 3 s


def test_the_sentence_says_wsbdd_closed_it_and_why(hostile):
    s, _, described = hostile
    line = "Then Alice is disconnected with code 1000"
    assert_raises_sentence(
        f"Alice expected to be disconnected with code 1000, but the connection {described}.",
        run_step,
        s,
        line,
        kind=ExpectationFailed,
    )
