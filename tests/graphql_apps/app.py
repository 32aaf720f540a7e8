"""The GraphQL test server: Strawberry on uvicorn, both GraphQL WebSocket subprotocols.

Listens on 127.0.0.1 port 0 and, once it listens, prints the port it got on stdout (one
line, the number alone).  ``/graphql`` serves ``graphql-transport-ws`` and the legacy
``graphql-ws`` (WebSocket) and GraphQL over HTTP (POST and GET); every other path is 404.

    python app.py [--token TEXT] [--require-token] [--never-ack] [--ping-interval MS]
                  [--keep-alive MS] [--until-stdin-closes]

The schema (see README.md beside this file)::

    type Query        { hello(name: String! = "world"): String!   pongs: Int! }
    type Mutation     { post(room: Int!, text: String!): Message! }
    type Message      { id: Int!  room: Int!  text: String! }
    type Subscription {
      count(target: Int!, every: Int! = 0): Int!       # 0 … target-1, then complete
      messages(room: Int!): Message!                    # what post(room) posts, from now on
      boom(after: Int! = 0, message: String! = "Boom"): Int!  # `after` results, then raises
    }

Connection params: ``{"token": "…"}``.  A token other than ``--token`` (default
``secret-token``) is refused: ``graphql-transport-ws`` closes with 4403 Forbidden, the
legacy protocol sends ``connection_error`` ``{"message": "wrong token"}``.  With
``--require-token`` a connection without a token is refused too.  ``{"ack": false}`` in the
params (or ``--never-ack`` for every connection) leaves ``connection_init`` unanswered.

Keep-alives: ``--ping-interval MS`` makes the server send ``{"type": "ping"}`` on
``graphql-transport-ws`` every MS after the ack; the query ``pongs`` (over the same
WebSocket) says how many ``pong`` answers that connection got.  ``--keep-alive MS`` sends the
legacy ``ka`` every MS.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import sys
from collections.abc import AsyncGenerator
from pathlib import Path
from typing import Any

import strawberry
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL, GRAPHQL_WS_PROTOCOL
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.subscriptions.protocols.graphql_ws.handlers import BaseGraphQLWSHandler
from strawberry.types import Info

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests/: asgi_serving
from asgi_serving import serve  # noqa: E402

PATH = "/graphql"


# -- the schema -------------------------------------------------------------------------------


@strawberry.type
class Message:
    id: int
    room: int
    text: str


_ids = itertools.count(1)
_rooms: dict[int, set[asyncio.Queue[Message]]] = {}
_listened: dict[int, asyncio.Event] = {}
"""Set while a room has a subscriber: a post waits (up to POST_WAIT) for the first one."""
POST_WAIT = 1.0
"""A subscription a client has just asked for may not have started on the server when a
post over HTTP arrives (nothing in graphql-transport-ws says when it has): a post to a
room nobody listens to yet waits this long for a listener, so the tests' verdicts do not
depend on which of the two connections the server serves first."""


def _listening(room: int) -> asyncio.Event:
    return _listened.setdefault(room, asyncio.Event())


@strawberry.type
class Query:
    @strawberry.field
    def hello(self, name: str = "world") -> str:
        return f"Hello, {name}!"

    @strawberry.field
    def pongs(self, info: Info) -> int:
        """The pongs this WebSocket connection answered the server's pings with (0 over HTTP)."""
        context = info.context
        return int(context.get("pongs", 0)) if isinstance(context, dict) else 0


@strawberry.type
class Mutation:
    @strawberry.mutation
    async def post(self, room: int, text: str) -> Message:
        if not _rooms.get(room):
            try:
                await asyncio.wait_for(_listening(room).wait(), POST_WAIT)
            except TimeoutError:
                pass  # nobody listens: the post goes nowhere, as it would in a real app
        message = Message(id=next(_ids), room=room, text=text)
        for queue in list(_rooms.get(room, ())):
            queue.put_nowait(message)
        return message


@strawberry.type
class Subscription:
    @strawberry.subscription
    async def count(self, target: int, every: int = 0) -> AsyncGenerator[int, None]:
        for value in range(max(0, min(target, 10_000))):
            if every > 0 and value:
                await asyncio.sleep(min(every, 60_000) / 1000)
            yield value

    @strawberry.subscription
    async def messages(self, room: int) -> AsyncGenerator[Message, None]:
        queue: asyncio.Queue[Message] = asyncio.Queue()
        _rooms.setdefault(room, set()).add(queue)
        _listening(room).set()
        try:
            while True:
                yield await queue.get()
        finally:
            _rooms[room].discard(queue)
            if not _rooms[room]:
                _listening(room).clear()

    @strawberry.subscription
    async def boom(self, after: int = 0, message: str = "Boom") -> AsyncGenerator[int, None]:
        for value in range(max(0, min(after, 10_000))):
            yield value
        raise RuntimeError(message)


schema = strawberry.Schema(query=Query, mutation=Mutation, subscription=Subscription)


# -- the connection: token, never-ack, pings ----------------------------------------------------


def _holds(params: Any, options: argparse.Namespace) -> bool:
    """Whether this connection_init is to stay unanswered."""
    return options.never_ack or (isinstance(params, dict) and params.get("ack") is False)


class TransportHandler(BaseGraphQLTransportWSHandler):
    """graphql-transport-ws, with the server's own pings and a never-ack option."""

    options: argparse.Namespace
    _pinger: asyncio.Task[None] | None = None

    async def handle_connection_init(self, message: Any) -> None:
        if _holds(message.get("payload"), self.options) and not self.connection_init_received:
            if self.connection_init_timeout_task:
                self.connection_init_timeout_task.cancel()
            self.connection_init_received = True  # and never answered
            return
        await super().handle_connection_init(message)
        if self.connection_acknowledged and self.options.ping_interval and not self._pinger:
            self._pinger = asyncio.create_task(self._ping(self.options.ping_interval / 1000))

    async def _ping(self, interval: float) -> None:
        with contextlib.suppress(Exception):
            while True:
                await asyncio.sleep(interval)
                await self.send_message({"type": "ping"})

    async def handle_pong(self, message: Any) -> None:
        if isinstance(self.context, dict):
            self.context["pongs"] = int(self.context.get("pongs", 0)) + 1

    async def shutdown(self) -> None:
        if self._pinger is not None:
            self._pinger.cancel()
        await super().shutdown()


class LegacyHandler(BaseGraphQLWSHandler):
    """graphql-ws (subscriptions-transport-ws), with a never-ack option."""

    options: argparse.Namespace

    async def handle_connection_init(self, message: Any) -> None:
        if _holds(message.get("payload"), self.options):
            return  # never answered
        await super().handle_connection_init(message)


class App(GraphQL):
    def __init__(self, options: argparse.Namespace) -> None:
        keep_alive = options.keep_alive or 0
        super().__init__(
            schema,
            keep_alive=keep_alive > 0,
            keep_alive_interval=keep_alive / 1000 if keep_alive else 1,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL, GRAPHQL_WS_PROTOCOL),
        )
        self.options = options
        self.graphql_transport_ws_handler_class = type(
            "Transport", (TransportHandler,), {"options": options}
        )
        self.graphql_ws_handler_class = type("Legacy", (LegacyHandler,), {"options": options})

    async def get_context(self, request: Any, response: Any = None) -> dict[str, Any]:
        return {"request": request, "response": response}

    async def on_ws_connect(self, context: dict[str, Any]) -> Any:
        params = context.get("connection_params")
        token = params.get("token") if isinstance(params, dict) else None
        if (token is None and self.options.require_token) or (
            token is not None and token != self.options.token
        ):
            raise ConnectionRejectionError({"message": "wrong token"})
        return await super().on_ws_connect(context)


def routed(app: App) -> Any:
    """The app at /graphql; 404 elsewhere."""

    async def asgi(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] in ("http", "websocket") and scope.get("path", "").rstrip("/") == PATH:
            await app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        if scope["type"] == "http":
            await send(
                {
                    "type": "http.response.start",
                    "status": 404,
                    "headers": [(b"content-type", b"text/plain")],
                }
            )
            await send({"type": "http.response.body", "body": b"Not Found"})

    return asgi


# -- serving -----------------------------------------------------------------------------------


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--token", default="secret-token")
    parser.add_argument("--require-token", action="store_true")
    parser.add_argument("--never-ack", action="store_true")
    parser.add_argument("--ping-interval", type=int, default=0, metavar="MS")
    parser.add_argument("--keep-alive", type=int, default=0, metavar="MS")
    parser.add_argument("--until-stdin-closes", action="store_true")
    options = parser.parse_args(argv)
    if options.ping_interval < 0 or options.keep_alive < 0:
        parser.exit(2, "--ping-interval and --keep-alive want milliseconds, 0 for none.\n")
    return options


def main(argv: list[str]) -> None:
    options = parse(argv)
    serve(
        routed(App(options)),
        until_stdin_closes=options.until_stdin_closes,
        ws_ping_interval=None,  # only the protocol's own keep-alives
        ws_ping_timeout=None,
        backlog=4096,
    )


if __name__ == "__main__":
    main(sys.argv[1:])
