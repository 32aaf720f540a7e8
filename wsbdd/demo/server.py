"""The demo server itself: routes, start and stop, and running it from a shell.

:class:`DemoServer` wraps ``websockets.asyncio.server.serve`` and sends each
connection to the route registered for its path (``/secure``, ``/login``,
``/quiz``), or to the open chat for every other path.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Sequence
from contextlib import suppress
from os import PathLike
from types import TracebackType
from typing import TYPE_CHECKING

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.http11 import Request, Response
from websockets.typing import Subprotocol

from .auth import DEFAULT_TOKENS
from .chat import Chat
from .handshake import path_of
from .questions import BUILT_IN, load_quizzes
from .quiz_route import QuizRoute
from .quizmaster import QuizMaster
from .routes import ChatRoute, LoginRoute, Route, SecureRoute

if TYPE_CHECKING:
    from .socketio_chat import SocketIOChat

__all__ = ["SUBPROTOCOLS", "DemoServer", "serve_forever"]

logger = logging.getLogger("wsbdd.demo")

# websockets logs every connection at INFO; a test run opens thousands.
# Warnings and errors still get through.
_websockets_logger = logging.getLogger("wsbdd.demo.websockets")
_websockets_logger.setLevel(logging.WARNING)

SUBPROTOCOLS: tuple[Subprotocol, ...] = (Subprotocol("chat.v1"), Subprotocol("chat.v2"))
"""Subprotocols the demo speaks; clients may offer them but need not."""


class DemoServer:
    """The reference chat server that wsbdd's own features run against.

    A real WebSocket server on ``websockets.asyncio.server``. Start it on a
    free port, point clients at :attr:`url`, stop it when done:

    >>> import asyncio, json
    >>> from websockets.asyncio.client import connect
    >>> async def first_message() -> str:
    ...     async with DemoServer() as server, connect(server.url) as ws:
    ...         return json.loads(await ws.recv())["type"]
    >>> asyncio.run(first_message())
    'welcome'
    """

    def __init__(
        self,
        *,
        tokens: dict[str, str] | None = None,
        rate_limit: float | None = 50.0,
        max_content: int = 2000,
        auth_timeout: float = 5.0,
        max_size: int = 65536,
        quiz_file: str | PathLike[str] | None = None,
        quiz_rate_limit: float | None = 5.0,
        socketio: bool = False,
    ) -> None:
        self.tokens = dict(DEFAULT_TOKENS if tokens is None else tokens)
        self.max_size = max_size
        self.chat = Chat(rate_limit=rate_limit, max_content=max_content)
        quizzes = dict(BUILT_IN)
        if quiz_file is not None:
            quizzes.update(load_quizzes(quiz_file))
        self.quiz = QuizMaster(quizzes)
        self.routes: dict[str, Route] = {
            "/secure": SecureRoute(self.chat, self.tokens),
            "/login": LoginRoute(self.chat, self.tokens, auth_timeout),
            "/quiz": QuizRoute(self.quiz, quiz_rate_limit),
        }
        self.default_route: Route = ChatRoute(self.chat)
        self.max_content = max_content
        self.socketio: SocketIOChat | None = None
        """The chat over Socket.IO, on a port of its own, once started (``socketio=True``, or
        :meth:`start_socketio` on a running server)."""
        self._with_socketio = socketio
        self._server: Server | None = None
        self._host = ""
        self._port = 0

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> DemoServer:
        """Start listening; ``port=0`` picks a free port. Returns the server itself."""
        if self._server is not None:
            raise RuntimeError(f"the demo server is already listening on {self.url}")
        self._server = await serve(
            self._handle,
            host,
            port,
            process_request=self._check,
            select_subprotocol=_select_subprotocol,
            compression=None,
            ping_interval=20,
            ping_timeout=20,
            close_timeout=2,
            max_size=self.max_size,
            logger=_websockets_logger,
        )
        self._host = host
        self._port = self._server.sockets[0].getsockname()[1]
        if self._with_socketio:
            try:
                await self.start_socketio()
            except BaseException:
                await self.stop()
                raise
        logger.info("demo server listening on %s", self.url)
        return self

    @property
    def port(self) -> int:
        """The TCP port the server listens on (0 before :meth:`start`)."""
        return self._port

    @property
    def url(self) -> str:
        """The server's address, e.g. ``ws://127.0.0.1:54321``."""
        host = f"[{self._host}]" if ":" in self._host else self._host
        return f"ws://{host}:{self._port}"

    async def start_socketio(self) -> str:
        """Serve the chat over Socket.IO too, if it is not served yet; return its address.

        wsbdd's runs start it only when a scenario speaks Socket.IO: aiohttp and
        python-socketio take a while to import, and most runs speak plain WebSocket only.
        """
        if self._server is None:
            raise RuntimeError("start the demo server before its chat over Socket.IO")
        if self.socketio is None:
            from .socketio_chat import SocketIOChat

            chat = SocketIOChat(tokens=self.tokens, max_content=self.max_content)
            await chat.start(self._host, 0)
            self.socketio = chat
        url = self.socketio_url
        assert url is not None
        return url

    @property
    def socketio_url(self) -> str | None:
        """The Socket.IO chat's address, e.g. ``http://127.0.0.1:54322`` (None without it)."""
        if self.socketio is None or not self.socketio.port:
            return None
        host = f"[{self._host}]" if ":" in self._host else self._host
        return f"http://{host}:{self.socketio.port}"

    async def stop(self) -> None:
        """Close every connection with 1001 and stop listening. Safe to call twice."""
        server, self._server = self._server, None
        if server is None:
            return
        if self.socketio is not None:
            await self.socketio.stop()
            self.socketio = None
        server.close()
        await server.wait_closed()
        if server.close_task is not None:
            await server.close_task  # it finishes just after waking wait_closed()
        self.quiz.close()  # every host has left by now; this only makes sure no timer is left
        logger.info("demo server on %s stopped", self.url)

    async def __aenter__(self) -> DemoServer:
        return self if self._server is not None else await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    def route_for(self, request: Request) -> Route:
        """Return the route serving the request's path; the open chat serves unknown paths."""
        return self.routes.get(path_of(request), self.default_route)

    def _check(self, connection: ServerConnection, request: Request) -> Response | None:
        return self.route_for(request).check(connection, request)

    async def _handle(self, connection: ServerConnection) -> None:
        assert connection.request is not None
        await self.route_for(connection.request).handle(connection)


def _select_subprotocol(
    connection: ServerConnection, offered: Sequence[Subprotocol]
) -> Subprotocol | None:
    """Pick the client's first offer that the demo speaks; none is fine too."""
    return next((proto for proto in offered if proto in SUBPROTOCOLS), None)


def serve_forever(host: str = "127.0.0.1", port: int = 0, **options: object) -> None:
    """Run the demo server until SIGINT or SIGTERM, then stop it cleanly.

    Prints one line, ``wsbdd demo server listening on ws://HOST:PORT``, once
    the server accepts connections. ``options`` go to :class:`DemoServer`.
    """
    asyncio.run(_serve_until_signalled(host, port, options))


async def _serve_until_signalled(host: str, port: int, options: dict[str, object]) -> None:
    loop = asyncio.get_running_loop()
    stopping = asyncio.Event()
    signals = (signal.SIGINT, signal.SIGTERM)
    for signum in signals:
        # Not on Windows, nor outside the main thread: Ctrl-C still ends asyncio.run().
        with suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, stopping.set)
    server = await DemoServer(**options).start(host, port)  # type: ignore[arg-type]
    try:
        print(f"wsbdd demo server listening on {server.url}", flush=True)
        if server.socketio_url is not None:
            print(f"the chat over Socket.IO listening on {server.socketio_url}", flush=True)
        await stopping.wait()
    finally:
        await server.stop()
        for signum in signals:
            with suppress(NotImplementedError, RuntimeError):
                loop.remove_signal_handler(signum)
