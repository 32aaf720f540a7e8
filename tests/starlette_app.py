"""A real Starlette app for the tests that point wsbdd at something other than the demo.

Served by uvicorn on 127.0.0.1 port 0 in a thread of its own (:class:`StarletteServer`),
so wsbdd's run, its loop thread and the app never share an event loop.

Routes used by the tests:

- ``/ws`` and any path under ``/ws/``: a WebSocket that greets each client with what
  its handshake carried (``{"type": "hello", "path", "query", "headers", "cookies"}``)
  and then echoes every text frame back as ``{"type": "echo", "text": …}``.
- ``/secure``: a WebSocket that wants ``?token=good`` (or ``Authorization: Bearer good``);
  anything else is refused with HTTP 401, a text body ``Invalid token`` and a
  ``WWW-Authenticate: Basic realm="chat"`` header.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Callable
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import BaseRoute, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

__all__ = ["StarletteServer", "build_app", "handshake_facts"]


def handshake_facts(websocket: WebSocket) -> dict[str, Any]:
    """What a client's handshake carried, as the app saw it."""
    return {
        "type": "hello",
        "path": websocket.url.path,
        "raw_path": websocket.scope.get("raw_path", b"").decode("latin-1"),
        "query": websocket.url.query,
        "params": dict(websocket.query_params),
        "headers": {k.lower(): v for k, v in websocket.headers.items()},
        "cookies": dict(websocket.cookies),
        "subprotocols": list(websocket.scope.get("subprotocols", [])),
    }


async def echo(websocket: WebSocket) -> None:
    await websocket.accept()
    await websocket.send_json(handshake_facts(websocket))
    try:
        while True:
            text = await websocket.receive_text()
            await websocket.send_json({"type": "echo", "text": text})
    except WebSocketDisconnect:
        pass


async def secure(websocket: WebSocket) -> None:
    token = websocket.query_params.get("token") or websocket.headers.get(
        "authorization", ""
    ).removeprefix("Bearer ")
    if token != "good":
        await websocket.send_denial_response(
            PlainTextResponse(
                "Invalid token", status_code=401, headers={"WWW-Authenticate": 'Basic realm="chat"'}
            )
        )
        return
    await echo(websocket)


def base_routes() -> list[BaseRoute]:
    return [
        WebSocketRoute("/ws", echo),
        WebSocketRoute("/ws/{rest:path}", echo),
        WebSocketRoute("/secure", secure),
    ]


def build_app(extra_routes: list[BaseRoute] | None = None, **options: Any) -> Starlette:
    """The test app: the base routes plus ``extra_routes``; ``options`` go to Starlette."""
    return Starlette(routes=[*base_routes(), *(extra_routes or [])], **options)


class StarletteServer:
    """An ASGI app served by uvicorn on 127.0.0.1 port 0 in a thread; a context manager.

    ``url`` is ``http://127.0.0.1:PORT`` and ``ws_url`` the same with ``ws://``.
    Extra keyword arguments go to :class:`uvicorn.Config` (``ssl_certfile``, …).
    """

    def __init__(self, app: Callable[..., Any] | None = None, **config: Any) -> None:
        self.app = app or build_app()
        self.config = config
        self.port = 0
        self._server: uvicorn.Server | None = None
        self._started = threading.Event()
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None

    @property
    def scheme(self) -> str:
        return "https" if self.config.get("ssl_certfile") else "http"

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return self.url.replace("http", "ws", 1)

    def __enter__(self) -> StarletteServer:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        self._socket = sock
        config = uvicorn.Config(
            self.app,
            log_level="warning",
            lifespan="off",
            ws="websockets-sansio",
            **self.config,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._serve, daemon=True, name="starlette-app")
        self._thread.start()
        if not self._started.wait(15) or not self._server.started:
            raise RuntimeError("the Starlette test app did not start within 15 s")
        return self

    def _serve(self) -> None:
        """uvicorn's own start-up, main loop and shutdown, with the start told to the test
        as it happens (``Server.serve`` would only say so through a polled flag)."""

        async def main() -> None:
            server, sock = self._server, self._socket
            assert server is not None and sock is not None
            config = server.config
            if not config.loaded:
                config.load()
            server.lifespan = config.lifespan_class(config)
            try:
                await server.startup(sockets=[sock])
            finally:
                self._started.set()
            if not server.should_exit:
                await server.main_loop()
            await server.shutdown(sockets=[sock])

        try:
            asyncio.run(main())
        finally:
            self._started.set()

    def __exit__(self, *exc: object) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(15)
        if self._socket is not None:
            self._socket.close()
