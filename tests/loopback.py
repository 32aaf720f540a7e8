"""A small websockets server on loopback for tests, with its own event loop in a thread.

Subclasses give the connection handler (and, if they need them, ``serve`` options
and loop-owned state made in ``setup``); the test talks to it on ``port``.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from websockets.asyncio.server import ServerConnection, serve
from websockets.sync.server import ServerConnection as SyncConnection
from websockets.sync.server import serve as sync_serve


class ThreadedServer:
    serve_options: dict[str, Any] = {}

    def __init__(self) -> None:
        self.port = 0
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Future[None] | None = None
        self._thread = threading.Thread(target=lambda: asyncio.run(self._main()), daemon=True)

    async def handler(self, ws: ServerConnection) -> None:
        raise NotImplementedError

    async def setup(self) -> None:
        """On the server's loop, before it serves: make what belongs to that loop."""

    def call_soon(self, func: Any, *args: Any) -> None:
        """Have the server's loop call ``func(*args)``."""
        assert self._loop is not None
        self._loop.call_soon_threadsafe(func, *args)

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = self._loop.create_future()
        await self.setup()
        async with serve(self.handler, "127.0.0.1", 0, **self.serve_options) as server:
            self.port = server.sockets[0].getsockname()[1]
            self._ready.set()
            await self._stop

    def __enter__(self) -> ThreadedServer:
        self._thread.start()
        assert self._ready.wait(10)
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._stop is not None
        self.call_soon(self._stop.set_result, None)
        self._thread.join(10)


@contextmanager
def sync_server(handler: Callable[[SyncConnection], None]) -> Iterator[str]:
    """A websockets *sync* server on 127.0.0.1 port 0 in a thread: its ``ws://`` address.

    For handlers written as plain loops (an echo that answers late, a peer that
    never answers); stopped, and its thread joined, at the end.
    """
    server = sync_serve(handler, "127.0.0.1", 0, compression=None)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        host, port = server.socket.getsockname()[:2]
        yield f"ws://{host}:{port}"
    finally:
        server.shutdown()
        thread.join(10)
