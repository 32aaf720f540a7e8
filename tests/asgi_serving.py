"""Serving a test app (an ASGI app under uvicorn) the way the tests start them all: on
127.0.0.1 port 0, printing the port once it listens (the test reads it), and ending when
the test's end of standard input closes (the test is gone).

Used by the test servers run as scripts (tests/socketio_apps/python_app.py,
tests/graphql_apps/app.py, tests/jsonrpc_app.py); a script in a folder below ``tests/``
puts ``tests/`` on ``sys.path`` first.
"""

from __future__ import annotations

import asyncio
import os
import socket
import sys
import threading
from typing import Any

import uvicorn

__all__ = ["serve"]


class _Server(uvicorn.Server):
    """uvicorn, printing the port once it listens (the tests read it)."""

    def __init__(self, config: uvicorn.Config, port: int) -> None:
        super().__init__(config)
        self.port = port

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        print(self.port, flush=True)


def serve(app: Any, *, until_stdin_closes: bool = True, **options: Any) -> None:
    """Serve ``app`` until stopped; ``options`` go to ``uvicorn.Config`` (after
    ``log_level="warning"`` and ``lifespan="off"``)."""
    # IPPROTO_TCP: asyncio turns Nagle's algorithm off only on sockets that say they are TCP
    # (and the accepted ones copy the listener's).
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    config = uvicorn.Config(app, **{"log_level": "warning", "lifespan": "off", **options})
    if until_stdin_closes:

        def lifeline() -> None:
            sys.stdin.buffer.read()
            os._exit(0)

        threading.Thread(target=lifeline, daemon=True).start()
    asyncio.run(_Server(config, port).serve(sockets=[listener]))
