"""Frames reach the inbox whole, in the order the server sent them, by either road.

A whole text or binary frame goes from the connection straight to the client's
inbox; fragmented messages, and frames that arrive while the reader still has
some queued, go through websockets' own queue and the reader task.  These tests
mix the two against a real websockets server on loopback.
"""

from __future__ import annotations

import json

import pytest
from loopback import ThreadedServer

from wsbdd.facade.session import Run
from wsbdd.match import where
from wsbdd.settings.config import Settings


class Server(ThreadedServer):
    """A loopback server that answers {"burst": n} with n messages of every shape."""

    async def handler(self, ws) -> None:
        async for request in ws:
            ask = json.loads(request)
            if "burst" in ask:
                for n in range(ask["burst"]):
                    shape = n % 4
                    text = json.dumps({"n": n, "shape": shape})
                    if shape == 0:
                        await ws.send(text)
                    elif shape == 1:  # one message in three fragments
                        await ws.send([text[:5], text[5:10], text[10:]])
                    elif shape == 2:
                        await ws.send(text.encode())  # binary
                    else:
                        await ws.send([text.encode()[:4], text.encode()[4:]])  # binary fragments
            if ask.get("bad_utf8"):
                ws.protocol.send_text(b"\xff\xfe not utf-8")
                ws.send_data()


@pytest.fixture(scope="module")
def server():
    with Server() as server:
        yield server


@pytest.fixture
def session(server):
    with Run.start(Settings(url=f"ws://127.0.0.1:{server.port}", timeout=5.0)) as run:
        with run.session() as session:
            yield session


def test_whole_and_fragmented_frames_keep_the_servers_order(session):
    session.connect("Alice")
    for burst in (1, 6, 41, 202):  # ends with a text frame, which the wait can read
        session.forget("Alice")
        session.send("Alice", json.dumps({"burst": burst}))
        session.receive("Alice", where(f"$.n is {burst - 1}"))
        received = session.client("Alice").inbox.since_baseline()
        assert [json.loads(m.raw)["n"] for m in received] == list(range(burst))
        kinds = [m.kind for m in received]
        assert kinds == [("text", "text", "binary", "binary")[n % 4] for n in range(burst)]


def test_a_wait_is_woken_by_a_whole_frame_and_by_a_fragmented_one(session):
    session.connect("Alice")
    session.send("Alice", json.dumps({"burst": 2}))
    assert session.receive("Alice", where("$.shape is 1")).json["n"] == 1  # fragmented
    assert session.receive("Alice", where("$.shape is 0")).json["n"] == 0  # whole, skipped before


def test_text_that_is_not_utf8_ends_the_connection_and_is_not_a_message(session):
    session.connect("Alice")
    session.send("Alice", json.dumps({"bad_utf8": True}))
    session.expect_disconnected("Alice")  # websockets fails it (it sends 1007)
    assert len(session.client("Alice").inbox) == 0
