"""A project codec that raises on a frame, and a client connected with reconnection.

The codec's failure closes the connection with 1011 and says so; a client does not
reconnect after that (the codec would fail on the same frames again), and the
reconnection step says why in one sentence, pinned whole against the demo server.
"""

from __future__ import annotations

from typing import Any

from tests.sentences import assert_raises_sentence
from wsbdd.codec import WebSocketCodec
from wsbdd.facade.session import Run
from wsbdd.model.errors import ExpectationFailed
from wsbdd.model.reconnection import ReconnectPolicy
from wsbdd.settings.config import Settings


class Brittle(WebSocketCodec):
    """Fails on any frame that holds "boom" (a bug in a project's codec)."""

    def decode(self, frame: Any, at: float) -> Any:
        if "boom" in str(frame):
            raise KeyError("boom")
        return super().decode(frame, at)


def test_a_client_whose_codec_failed_does_not_reconnect():
    policy = ReconnectPolicy(attempts=2, delay=0.05, max_delay=0.05)
    settings = Settings(timeout=2.0, reconnection=policy, codec=f"{__name__}:Brittle")
    with Run.start(settings) as run, run.session() as s:
        s.connect("Alice", reconnection=True)
        s.send("Alice", '{"type": "echo", "content": "boom"}')
        s.expect_disconnected("Alice")
        assert_raises_sentence(
            'Alice did not reconnect: the connection closed with code 1011 and reason "wsbdd '
            "codec error\" after the websocket codec failed on a frame (KeyError: 'boom').",
            s.expect_reconnected,
            "Alice",
            1,
            kind=ExpectationFailed,
        )
