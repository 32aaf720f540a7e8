"""The demo server's routes: what happens on each path.

A route may refuse the opening handshake (``check``) and then owns the
connection for its whole life (``handle``). The server keeps a dict from path
to route, so a new feature (say, a quiz on ``/quiz``) is one more entry.
"""

from __future__ import annotations

from contextlib import suppress
from typing import Protocol

from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from .auth import receive_login, refuse_token, unauthorized
from .chat import Chat
from .handshake import bearer_token, query_of
from .protocol import Frame, timestamp
from .session import Session

__all__ = ["ChatRoute", "LoginRoute", "Route", "SecureRoute"]

WELCOME = "Welcome to the wsbdd demo chat"


class Route(Protocol):
    """One path of the demo server."""

    def check(self, connection: ServerConnection, request: Request) -> Response | None:
        """Return an HTTP response to refuse the handshake, or None to accept it."""
        ...

    async def handle(self, connection: ServerConnection) -> None:
        """Serve an accepted connection until it ends. Must return once it is closed."""
        ...


class ChatRoute:
    """The open chat: anyone may connect, and is greeted with ``welcome``."""

    def __init__(self, chat: Chat) -> None:
        self.chat = chat

    def check(self, connection: ServerConnection, request: Request) -> Response | None:
        return None

    async def handle(self, connection: ServerConnection) -> None:
        assert connection.request is not None
        session = self.chat.open_session(connection, query_of(connection.request).get("name"))
        welcome: Frame = {
            "type": "welcome",
            "client_id": session.client_id,
            "name": session.name,
            "server_time": timestamp(),
            "message": WELCOME,
        }
        await self.chat.serve(session, welcome)


class SecureRoute:
    """The chat behind a token given at connection time (``?token=`` or a bearer header)."""

    def __init__(self, chat: Chat, tokens: dict[str, str]) -> None:
        self.chat = chat
        self.tokens = tokens

    def check(self, connection: ServerConnection, request: Request) -> Response | None:
        return unauthorized(connection) if bearer_token(request) is None else None

    async def handle(self, connection: ServerConnection) -> None:
        assert connection.request is not None
        user = self.tokens.get(bearer_token(connection.request) or "")
        if user is None:
            with suppress(ConnectionClosed):
                await refuse_token(connection)
            return
        await self.chat.serve(*_authenticated(self.chat, connection, user))


class LoginRoute:
    """The chat behind a token sent as the first frame, ``{"type": "auth", ...}``."""

    def __init__(self, chat: Chat, tokens: dict[str, str], auth_timeout: float) -> None:
        self.chat = chat
        self.tokens = tokens
        self.auth_timeout = auth_timeout

    def check(self, connection: ServerConnection, request: Request) -> Response | None:
        return None

    async def handle(self, connection: ServerConnection) -> None:
        user = None
        with suppress(ConnectionClosed):
            user = await receive_login(connection, self.tokens, self.auth_timeout)
        if user is not None:
            await self.chat.serve(*_authenticated(self.chat, connection, user))


def _authenticated(chat: Chat, connection: ServerConnection, user: str) -> tuple[Session, Frame]:
    """Open a session named after ``user``, with its ``authenticated`` greeting."""
    session = chat.open_session(connection, user)
    session.name = user  # the user name stands even if it would not pass as a chat name
    return session, {"type": "authenticated", "user": user, "client_id": session.client_id}
