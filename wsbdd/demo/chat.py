"""The chat: rooms shared by all clients, and the loop that answers one client.

:meth:`Chat.serve` reads a client's frames until it goes away, hands each to
the command named by its ``"type"``, turns a :class:`ChatError` into an
``error`` frame, and cleans up after the client whichever way it left. The
room commands (join, leave, message) live here; the test probes live in
:mod:`.probes`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from uuid import uuid4

from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed
from websockets.protocol import State

from . import probes
from .protocol import MAX_NAME, ChatError, Frame, decode, error_frame, timestamp
from .ratelimit import TokenBucket
from .rooms import Rooms, check_room_name
from .sanitize import strip_html
from .session import Session

__all__ = ["Chat", "Command"]

Command = Callable[[Session, Frame], Awaitable[None]]


class Chat:
    """The chat service behind the plain, ``/secure`` and ``/login`` routes."""

    def __init__(self, *, rate_limit: float | None = 50.0, max_content: int = 2000) -> None:
        self.rate_limit = rate_limit
        self.max_content = max_content
        self.rooms = Rooms()
        self.sessions: set[Session] = set()
        self.commands: dict[str, Command] = {
            "join": self.join,
            "leave": self.leave,
            "message": self.message,
            "ping": probes.ping,
            "echo": probes.echo,
            "whoami": probes.whoami,
            "delay": probes.delay,
            "subscribe": probes.subscribe,
            "unsubscribe": probes.unsubscribe,
            "close": probes.close,
            "crash": probes.crash,
        }
        if rate_limit is not None:
            TokenBucket(rate_limit)  # fail now, not on the first connection, if it is invalid

    def open_session(self, connection: ServerConnection, name: str | None = None) -> Session:
        """Create the session for a new connection; ``name`` falls back to a guest name."""
        if name is not None and not _valid_name(name):
            name = None
        bucket = TokenBucket(self.rate_limit) if self.rate_limit is not None else None
        return Session(connection, name, bucket)

    async def serve(self, session: Session, greeting: Frame) -> None:
        """Greet the client, answer its frames until it leaves, then clean up after it."""
        self.sessions.add(session)
        connection = session.connection
        try:
            await session.send(greeting)
            async for data in connection:
                if session.bucket is not None and not session.bucket.allow():
                    await session.send(self._rate_limited())
                elif isinstance(data, str):
                    await self._answer(session, data)
                else:
                    await connection.send(data)  # binary frames come back unchanged
                if connection.protocol.state is not State.OPEN:
                    break  # the client asked the server to close or crash
        except ConnectionClosed:
            pass  # the client went away; that is what clients do
        finally:
            await self._depart(session)

    async def _answer(self, session: Session, text: str) -> None:
        request_type = None
        try:
            frame = decode(text)
            request_type = frame["type"]
            command = self.commands.get(request_type)
            if command is None:
                raise ChatError("unknown_type", f'Unknown message type "{request_type}"')
            await command(session, frame)
        except ChatError as exc:
            await session.send(error_frame(exc.code, exc.message, request_type))

    async def _depart(self, session: Session) -> None:
        """Stop a departed client's tasks and take it out of its rooms, telling the others."""
        self.sessions.discard(session)
        try:
            await session.cancel_tasks()
        finally:  # even if the server's loop is being torn down
            for room in sorted(session.rooms):
                self.rooms.leave(room, session)
                self.rooms.deliver(
                    room,
                    {
                        "type": "user_left",
                        "room": room,
                        "user": session.name,
                        "reason": "disconnected",
                    },
                )

    def _rate_limited(self) -> Frame:
        rate = f"{self.rate_limit:g}"
        return error_frame(
            "rate_limited", f"Rate limit exceeded: at most {rate} messages per second"
        )

    # -- room commands ---------------------------------------------------------

    async def join(self, session: Session, frame: Frame) -> None:
        """``join`` -> ``joined`` to the joiner, ``user_joined`` to the other members."""
        room = check_room_name(frame.get("room"))
        if room in session.rooms:
            raise ChatError("already_in_room", f'You are already in room "{room}".')
        if "name" in frame:
            name = frame["name"]
            if not isinstance(name, str) or not _valid_name(name):
                raise ChatError(
                    "invalid_name", f'A "name" is a string of 1 to {MAX_NAME} characters.'
                )
            session.name = name
        self.rooms.join(room, session)
        self.rooms.deliver(
            room, {"type": "user_joined", "room": room, "user": session.name}, skip=session
        )
        await session.send({"type": "joined", "room": room, "members": self.rooms.names(room)})

    async def leave(self, session: Session, frame: Frame) -> None:
        """``leave`` -> ``left`` to the leaver, ``user_left`` to the other members."""
        room = check_room_name(frame.get("room"))
        if not self.rooms.leave(room, session):
            raise ChatError("not_in_room", f'You are not in room "{room}".')
        self.rooms.deliver(
            room, {"type": "user_left", "room": room, "user": session.name, "reason": "left"}
        )
        await session.send({"type": "left", "room": room})

    async def message(self, session: Session, frame: Frame) -> None:
        """``message`` -> a ``chat`` frame to every member, the sender too unless excluded."""
        room = check_room_name(frame.get("room"))
        if room not in session.rooms:
            raise ChatError("not_in_room", f'You are not in room "{room}".')
        content = frame.get("content")
        if not isinstance(content, str):
            raise ChatError("invalid_message", 'A message needs a "content" string.')
        if len(content) > self.max_content:
            raise ChatError(
                "message_too_long",
                f"Message content is {len(content)} characters; the limit is {self.max_content}",
            )
        exclude_sender = frame.get("exclude_sender", False)
        if not isinstance(exclude_sender, bool):
            raise ChatError("invalid_message", '"exclude_sender" must be true or false.')
        content = strip_html(content)
        if not content.strip():
            raise ChatError("empty_message", "The message is empty once HTML is removed.")
        chat: Frame = {
            "type": "chat",
            "room": room,
            "from": session.name,
            "content": content,
            "id": str(uuid4()),
        }
        if "id" in frame:
            chat["client_msg_id"] = frame["id"]
        chat["sent_at"] = timestamp()
        self.rooms.deliver(room, chat, skip=session if exclude_sender else None)


def _valid_name(name: str) -> bool:
    return 0 < len(name) <= MAX_NAME and not name.isspace()
