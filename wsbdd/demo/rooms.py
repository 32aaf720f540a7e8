"""Chat rooms: who is in which room, and delivering a frame to a room."""

from __future__ import annotations

import re
from collections.abc import Collection

from websockets.asyncio.server import broadcast

from .protocol import ChatError, Frame, encode
from .session import Session

__all__ = ["Rooms", "check_room_name"]

_ROOM_NAME = re.compile(r"[A-Za-z0-9_.:-]{1,64}")


def check_room_name(room: object) -> str:
    """Return ``room`` if it is a valid room name, else raise ``invalid_room``."""
    if not isinstance(room, str) or not _ROOM_NAME.fullmatch(room):
        raise ChatError(
            "invalid_room",
            "A room name is 1 to 64 characters among letters, digits and _ . : -",
        )
    return room


class Rooms:
    """The room registry shared by every connection of one server.

    Rooms exist while they have members. Membership is also mirrored in each
    session's ``rooms`` set, so a session can leave all its rooms without a
    scan over every room.
    """

    def __init__(self) -> None:
        self._members: dict[str, dict[Session, None]] = {}  # an ordered set per room

    def join(self, room: str, session: Session) -> bool:
        """Add ``session`` to ``room``; return False if it was already a member."""
        members = self._members.setdefault(room, {})
        if session in members:
            return False
        members[session] = None
        session.rooms.add(room)
        return True

    def leave(self, room: str, session: Session) -> bool:
        """Remove ``session`` from ``room``; return False if it was not a member."""
        members = self._members.get(room)
        if members is None or session not in members:
            return False
        del members[session]
        session.rooms.discard(room)
        if not members:
            del self._members[room]
        return True

    def members(self, room: str) -> Collection[Session]:
        """Return the sessions in ``room`` (empty if the room does not exist)."""
        return self._members.get(room, {}).keys()

    def names(self, room: str) -> list[str]:
        """Return the sorted names of the members of ``room``."""
        return sorted(session.name for session in self.members(room))

    def deliver(self, room: str, frame: Frame, *, skip: Session | None = None) -> None:
        """Send ``frame`` to every member of ``room`` except ``skip``, without waiting.

        The frame is encoded once; ``broadcast`` writes it to each connection's
        buffer and never raises for connections that are closing.
        """
        text = encode(frame)
        broadcast(
            (member.connection for member in self.members(room) if member is not skip),
            text,
        )
