"""The ``/quiz`` path: greets a client, then hands its frames to the quizmaster.

A thin shell around :class:`~.quizmaster.QuizMaster`: it reads frames, applies
the per-connection rate limit, turns refusals into ``error`` frames, and tells
the quizmaster when the connection is gone.
"""

from __future__ import annotations

from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from .handshake import query_of
from .protocol import ChatError, Frame, decode, error_frame, timestamp
from .quizmaster import QuizMaster
from .ratelimit import TokenBucket
from .session import Session

__all__ = ["WELCOME", "QuizRoute"]

WELCOME = "Welcome to the wsbdd demo quiz"

_MAX_NAME = 64


class QuizRoute:
    """The live quiz: anyone may connect, and is greeted with ``welcome``.

    ``rate_limit`` is how many frames per second (with bursts of the same
    size) one connection may send; None turns the limit off.
    """

    def __init__(self, master: QuizMaster, rate_limit: float | None = 5.0) -> None:
        if rate_limit is not None:
            TokenBucket(rate_limit)  # fail now, not on the first connection, if it is invalid
        self.master = master
        self.rate_limit = rate_limit

    def check(self, connection: ServerConnection, request: Request) -> Response | None:
        return None

    async def handle(self, connection: ServerConnection) -> None:
        assert connection.request is not None
        name = query_of(connection.request).get("name")
        if name is not None and not (0 < len(name) <= _MAX_NAME and not name.isspace()):
            name = None
        bucket = TokenBucket(self.rate_limit) if self.rate_limit is not None else None
        session = Session(connection, name, bucket)
        try:
            await session.send(
                {
                    "type": "welcome",
                    "client_id": session.client_id,
                    "name": session.name,
                    "server_time": timestamp(),
                    "message": WELCOME,
                }
            )
            async for data in connection:
                reply = self._answer(session, data)
                if reply is not None:
                    await session.send(reply)
        except ConnectionClosed:
            pass  # the client went away; that is what clients do
        finally:
            self.master.depart(session)

    def _answer(self, session: Session, data: str | bytes) -> Frame | None:
        """Apply one frame; return the error frame to send back, if any."""
        if session.bucket is not None and not session.bucket.allow():
            return error_frame(
                "rate_limited",
                f"Too many quiz messages: the rate limit is {self.rate_limit:g} per second",
            )
        if not isinstance(data, str):
            return error_frame("invalid_message", "The quiz speaks JSON text frames only.")
        request_type = None
        try:
            frame = decode(data)
            request_type = frame["type"]
            command = self.master.commands.get(request_type)
            if command is None:
                raise ChatError("unknown_type", f'Unknown message type "{request_type}"')
            command(session, frame)
        except ChatError as exc:
            return error_frame(exc.code, exc.message, request_type)
        return None
