"""A client's append-only record of received frames, with consumed marks.

Pure data: no sockets, no event loop.  The client's reader task appends; the
expectations in :mod:`wsbdd.expect` read and mark messages consumed.  Nothing is
ever removed, so a message that arrived before a step started waiting is still
there for that step ("waits for a message already received").
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator
from typing import Literal

from wsbdd.message import Message

__all__ = ["Inbox"]

_BY_STEP, _BY_LOAD = 1, 2  # who claimed a message (0: nobody yet)


class Inbox:
    """Every frame one client received, in arrival order, and which ones steps claimed.

    ``baseline`` is the index where "has received N messages" starts counting;
    :meth:`forget` moves it to the end.
    """

    __slots__ = ("messages", "_consumed", "baseline", "_open", "last_claimed")

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self._consumed = bytearray()
        self.baseline = 0
        self._open: list[int] = []
        """Indexes of the unclaimed messages, ascending: a wait looks at these only, so an
        early message nobody claims (a welcome) does not make every later wait walk
        the whole inbox."""
        self.last_claimed: Message | None = None

    def __len__(self) -> int:
        return len(self.messages)

    def __iter__(self) -> Iterator[Message]:
        return iter(self.messages)

    def append(self, kind: Literal["text", "binary"], raw: str | bytes, at: float) -> Message:
        message = Message(len(self.messages) + 1, at, kind, raw)
        self._open.append(len(self.messages))
        self.messages.append(message)
        self._consumed.append(0)
        return message

    def index_of(self, message: Message) -> int:
        return message.seq - 1

    def is_consumed(self, message: Message) -> bool:
        return bool(self._consumed[message.seq - 1])

    def consume(self, message: Message, *, by_load: bool = False) -> None:
        """Mark a message claimed by a step; later steps skip it.

        ``by_load``: a load step counted it; it is nobody's "last message" and
        the transcript leaves it out (the step's metrics stand for it).
        """
        index = message.seq - 1
        self._consumed[index] = _BY_LOAD if by_load else _BY_STEP
        if not by_load:
            self.last_claimed = message
        open_ = self._open
        at = bisect_left(open_, index)
        if at < len(open_) and open_[at] == index:
            del open_[at]

    def counted_by_load(self, message: Message) -> bool:
        return self._consumed[message.seq - 1] == _BY_LOAD

    @property
    def first_unconsumed(self) -> int:
        """Index of the oldest message no step has claimed (== len when none)."""
        return self._open[0] if self._open else len(self.messages)

    def unconsumed(self, start: int = 0) -> Iterator[Message]:
        """Unclaimed messages from index ``start`` on, oldest first.

        Those that arrived before the call; one claimed while the caller iterates
        is skipped.
        """
        consumed = self._consumed
        messages = self.messages
        open_ = self._open
        for index in open_[bisect_left(open_, start) :]:
            if not consumed[index]:
                yield messages[index]

    def since_baseline(self) -> list[Message]:
        """Messages received since the last :meth:`forget` (claimed or not)."""
        return self.messages[self.baseline :]

    def forget(self) -> int:
        """Claim everything received so far and restart counting; returns how many were unread."""
        unread = len(self._open)
        for index in self._open:
            self._consumed[index] = _BY_STEP
        self._open.clear()
        self.baseline = len(self.messages)
        return unread

    @property
    def last(self) -> Message | None:
        """The message the most recent step claimed, else the newest one received."""
        if self.last_claimed is not None:
            return self.last_claimed
        return self.messages[-1] if self.messages else None
