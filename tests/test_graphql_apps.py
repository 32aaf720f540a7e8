"""The GraphQL test server itself, checked with a plain ``websockets`` client.

tests/graphql_apps/app.py is what wsbdd's GraphQL tests stand on: these tests say, frame
by frame and without wsbdd's codecs, that it speaks both subprotocols as its README says.
"""

from __future__ import annotations

import asyncio
import json

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

TRANSPORT, LEGACY = "graphql-transport-ws", "graphql-ws"


async def talk(url: str, subprotocol: str, sends: list[dict], count: int, params=None):
    """Open, send connection_init and ``sends``, and read up to ``count`` frames (each within
    a second); a close ends the reading and is returned as ("closed", code, reason)."""
    frames: list = []
    async with connect(url, subprotocols=[subprotocol], open_timeout=5) as ws:
        assert ws.subprotocol == subprotocol
        init = {"type": "connection_init", "payload": params or {"token": "secret-token"}}
        await ws.send(json.dumps(init))
        for message in sends:
            await ws.send(json.dumps(message))
        try:
            for _ in range(count):
                frames.append(json.loads(await asyncio.wait_for(ws.recv(), 1.0)))
        except ConnectionClosed as closed:
            assert closed.rcvd is not None
            frames.append(("closed", closed.rcvd.code, closed.rcvd.reason))
        except TimeoutError:
            frames.append("silence")
    return frames


def run(coroutine):
    return asyncio.run(asyncio.wait_for(coroutine, 20))


def test_a_subscription_over_graphql_transport_ws(graphql_app):
    start = {
        "id": "1",
        "type": "subscribe",
        "payload": {"query": "subscription { count(target: 2) }"},
    }
    assert run(talk(graphql_app.url, TRANSPORT, [start], 4)) == [
        {"type": "connection_ack"},
        {"id": "1", "type": "next", "payload": {"data": {"count": 0}}},
        {"id": "1", "type": "next", "payload": {"data": {"count": 1}}},
        {"id": "1", "type": "complete"},
    ]


def test_a_subscription_over_the_legacy_graphql_ws(graphql_app):
    start = {"id": "1", "type": "start", "payload": {"query": "subscription { count(target: 2) }"}}
    assert run(talk(graphql_app.url, LEGACY, [start], 4)) == [
        {"type": "connection_ack"},
        {"type": "data", "id": "1", "payload": {"data": {"count": 0}}},
        {"type": "data", "id": "1", "payload": {"data": {"count": 1}}},
        {"type": "complete", "id": "1"},
    ]


def test_a_wrong_token_is_refused(graphql_app):
    bad = {"token": "nope"}
    assert run(talk(graphql_app.url, TRANSPORT, [], 2, bad)) == [("closed", 4403, "Forbidden")]
    assert run(talk(graphql_app.url, LEGACY, [], 2, bad)) == [
        {"type": "connection_error", "payload": {"message": "wrong token"}},
        ("closed", 1011, ""),
    ]


@pytest.mark.parametrize("subprotocol", [TRANSPORT, LEGACY])
def test_ack_false_leaves_connection_init_unanswered(graphql_app, subprotocol):
    assert run(talk(graphql_app.url, subprotocol, [], 1, {"ack": False})) == ["silence"]


def test_the_pinging_server_pings_and_counts_pongs(graphql_app_pinging):
    async def exchange():
        async with connect(graphql_app_pinging.url, subprotocols=[TRANSPORT]) as ws:
            await ws.send('{"type": "connection_init"}')
            assert json.loads(await ws.recv()) == {"type": "connection_ack"}
            for _ in range(2):
                assert json.loads(await asyncio.wait_for(ws.recv(), 2)) == {"type": "ping"}
                await ws.send('{"type": "pong"}')
            query = {"id": "1", "type": "subscribe", "payload": {"query": "{ pongs }"}}
            await ws.send(json.dumps(query))
            while True:
                frame = json.loads(await asyncio.wait_for(ws.recv(), 2))
                if frame.get("id") == "1":
                    return frame

    assert run(exchange()) == {"id": "1", "type": "next", "payload": {"data": {"pongs": 2}}}


def test_the_pinging_server_sends_ka_on_the_legacy_protocol(graphql_app_pinging):
    frames = run(talk(graphql_app_pinging.url, LEGACY, [], 3))
    assert frames == [{"type": "connection_ack"}, {"type": "ka"}, {"type": "ka"}]
