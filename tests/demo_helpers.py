"""Small helpers for tests that talk to the demo server over real sockets.

Every receive has a deadline; a quiet check waits a short, bounded time.
"""

from __future__ import annotations

import asyncio
import functools
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from websockets.asyncio.client import ClientConnection, connect

from wsbdd.demo import DemoServer

# Positive waits end as soon as the frame arrives: a long deadline costs nothing and
# keeps a loaded machine (timers seen firing a second late) from failing the suite.
TIMEOUT = 10.0
QUIET = 0.2
TEST_DEADLINE = 60.0


def run_async(test: Callable[..., Awaitable[None]]) -> Callable[..., None]:
    """Turn an ``async def`` test into a plain pytest test run by ``asyncio.run``."""

    @functools.wraps(test)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        async def bounded() -> None:
            async with asyncio.timeout(TEST_DEADLINE):
                await test(*args, **kwargs)

        asyncio.run(bounded())

    return wrapper


@asynccontextmanager
async def demo_server(**options: Any) -> AsyncIterator[DemoServer]:
    """A demo server on a free port, stopped at the end."""
    server = await DemoServer(**options).start()
    try:
        yield server
    finally:
        await server.stop()


async def open_client(server: DemoServer, path: str = "/", **options: Any) -> ClientConnection:
    """Connect a plain websockets client (no proxy, no compression) to ``path``."""
    options.setdefault("open_timeout", TIMEOUT)
    options.setdefault("close_timeout", TIMEOUT)
    return await connect(server.url + path, proxy=None, compression=None, **options)


@asynccontextmanager
async def client(
    server: DemoServer, path: str = "/", greeting: str | None = "welcome", **options: Any
) -> AsyncIterator[ClientConnection]:
    """A connected client whose greeting frame (if any) is already read; closed at the end."""
    ws = await open_client(server, path, **options)
    try:
        if greeting is not None:
            frame = await receive(ws)
            assert frame["type"] == greeting, frame
        yield ws
    finally:
        await ws.close()


async def receive(ws: ClientConnection, timeout: float = TIMEOUT) -> dict[str, Any]:
    """Receive one JSON text frame within ``timeout`` seconds."""
    async with asyncio.timeout(timeout):
        data = await ws.recv()
    assert isinstance(data, str), f"expected a text frame, got {data!r}"
    frame = json.loads(data)
    assert isinstance(frame, dict), frame
    return frame


async def receive_many(ws: ClientConnection, count: int, timeout: float = TIMEOUT) -> list[dict]:
    """Receive ``count`` JSON frames, all within ``timeout`` seconds."""
    async with asyncio.timeout(timeout):
        return [await receive(ws, timeout) for _ in range(count)]


async def send(ws: ClientConnection, frame: dict[str, Any]) -> None:
    await ws.send(json.dumps(frame))


async def request(ws: ClientConnection, frame: dict[str, Any]) -> dict[str, Any]:
    """Send a frame and return the next frame received."""
    await send(ws, frame)
    return await receive(ws)


async def assert_quiet(ws: ClientConnection, within: float = QUIET) -> None:
    """Assert that nothing arrives on ``ws`` for ``within`` seconds."""
    try:
        async with asyncio.timeout(within):
            data = await ws.recv()
    except TimeoutError:
        return
    raise AssertionError(f"expected no message within {within} s, got {data!r}")


async def closed(ws: ClientConnection, timeout: float = TIMEOUT) -> tuple[int | None, str | None]:
    """Wait until ``ws`` is closed; return its close code and reason."""
    async with asyncio.timeout(timeout):
        await ws.wait_closed()
    return ws.close_code, ws.close_reason
