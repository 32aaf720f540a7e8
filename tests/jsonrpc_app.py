"""A JSON-RPC 2.0 server over WebSocket for the codec guide's example (docs/codecs.md).

Starlette on uvicorn; the requests are dispatched by jsonrpcserver (its validation, its
error codes: -32601 for an unknown method, -32602 for bad params).  Methods:

- ``add(a, b)`` and ``subtract(a, b)``;
- ``divide(a, b)``: the error ``{"code": 1, "message": "division by zero"}`` when b is 0;
- ``watch(topic, count=3)``: answers ``"watching"``, then sends ``count`` notifications
  ``{"method": "tick", "params": {"topic": …, "n": 1…}}``.

``--broken`` makes ``add`` subtract (the test of a failing run).  The server listens on
127.0.0.1 at the ``/rpc`` path on a port of the system's choosing, prints the port, and
exits when its standard input closes (the test that started it is gone).

    python tests/jsonrpc_app.py [--broken]
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from asgi_serving import serve  # tests/ is the script's folder
from jsonrpcserver import Error, Result, Success, async_dispatch
from starlette.applications import Starlette
from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect


class Connection:
    """One client's connection: frames a method sends after its response (notifications)."""

    def __init__(self) -> None:
        self.after: list[str] = []


async def add(connection: Connection, a: float, b: float) -> Result:
    return Success(a + b)


async def broken_add(connection: Connection, a: float, b: float) -> Result:
    return Success(a - b)


async def subtract(connection: Connection, a: float, b: float) -> Result:
    return Success(a - b)


async def divide(connection: Connection, a: float, b: float) -> Result:
    if b == 0:
        return Error(1, "division by zero")
    return Success(a // b if isinstance(a, int) and isinstance(b, int) else a / b)


async def watch(connection: Connection, topic: str, count: int = 3) -> Result:
    for n in range(1, count + 1):
        note = {"jsonrpc": "2.0", "method": "tick", "params": {"topic": topic, "n": n}}
        connection.after.append(json.dumps(note))
    return Success("watching")


def build(broken: bool = False) -> Starlette:
    methods: dict[str, Any] = {
        "add": broken_add if broken else add,
        "subtract": subtract,
        "divide": divide,
        "watch": watch,
    }

    async def rpc(websocket: WebSocket) -> None:
        await websocket.accept()
        connection = Connection()
        try:
            while True:
                request = await websocket.receive_text()
                response = await async_dispatch(request, methods=methods, context=connection)
                if response:  # a notification from the client gets no response
                    await websocket.send_text(response)
                for frame in connection.after:
                    await websocket.send_text(frame)
                connection.after.clear()
        except WebSocketDisconnect:
            pass

    return Starlette(routes=[WebSocketRoute("/rpc", rpc)])


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--broken", action="store_true", help="add subtracts")
    options = parser.parse_args(argv)
    serve(build(options.broken))


if __name__ == "__main__":
    main(sys.argv[1:])
