"""Token authentication for the ``/secure`` and ``/login`` routes.

``/secure`` reads the token from the opening request: none at all is refused
with HTTP 401; an unknown one is told so over the WebSocket, then closed with
4001. ``/login`` accepts every handshake and expects ``{"type": "auth",
"token": ...}`` as the first frame.
"""

from __future__ import annotations

import asyncio
import json
from http import HTTPStatus

from websockets.asyncio.server import ServerConnection
from websockets.http11 import Response

from .protocol import encode, error_frame

__all__ = [
    "AUTH_FAILED",
    "DEFAULT_TOKENS",
    "REALM",
    "receive_login",
    "refuse_token",
    "unauthorized",
]

DEFAULT_TOKENS: dict[str, str] = {"alice-token": "alice", "bob-token": "bob"}
"""The demo's users: token -> user name."""

REALM = "wsbdd-demo"

AUTH_FAILED = 4001
"""The close code for every authentication failure."""


def unauthorized(connection: ServerConnection) -> Response:
    """The HTTP 401 answer to an opening request that carries no token."""
    response = connection.respond(HTTPStatus.UNAUTHORIZED, "Missing token\n")
    response.headers["WWW-Authenticate"] = f'Bearer realm="{REALM}"'
    return response


async def refuse_token(connection: ServerConnection) -> None:
    """Tell the client its token is unknown, then close with 4001."""
    await connection.send(encode(error_frame("invalid_token", "Invalid token")))
    await connection.close(AUTH_FAILED, "invalid token")


async def receive_login(
    connection: ServerConnection, tokens: dict[str, str], timeout: float
) -> str | None:
    """Wait for the ``auth`` frame and return the user it names.

    On any failure the client is told why (when it spoke at all), the
    connection is closed with 4001, and None is returned.
    """
    try:
        async with asyncio.timeout(timeout):
            first = await connection.recv()
    except TimeoutError:
        await connection.close(AUTH_FAILED, "authentication timeout")
        return None
    frame = _json_object(first)
    if frame is None or frame.get("type") != "auth":
        message = 'Authenticate first: send {"type": "auth", "token": "..."}.'
        await connection.send(encode(error_frame("auth_required", message)))
        await connection.close(AUTH_FAILED, "authentication required")
        return None
    token = frame.get("token")
    user = tokens.get(token) if isinstance(token, str) else None
    if user is None:
        await refuse_token(connection)
    return user


def _json_object(data: str | bytes) -> dict[str, object] | None:
    if isinstance(data, bytes):
        return None
    try:
        value = json.loads(data)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None
