"""A client's append-only record of received frames, with consumed marks.

Pure data: no sockets, no event loop.  The client's reader task appends; the
expectations in :mod:`wsbdd.expect` read and mark messages consumed.  By
default nothing is ever removed, so a message that arrived before a step
started waiting is still there for that step ("waits for a message already
received").

A claimed message is no longer a candidate for any wait, so its parsed JSON is
released (the raw text stays and is parsed again if a step asks).  A *bounded*
inbox (``limit``, the ``inbox_limit`` setting, for load crowds) also drops the
oldest claimed messages beyond ``limit``; unclaimed messages are never dropped.
Counters keep "has received N messages" right, and a step that would need a
dropped message says so (:meth:`Inbox.dropped_note`).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterator
from operator import attrgetter
from typing import Literal

from wsbdd.model.message import DecodedMessage, Message

__all__ = ["Inbox"]

_BY_STEP, _BY_LOAD = 1, 2  # who claimed a message (0: nobody yet), in Message.mark
_WHO = 3
_DROPPED = 4  # a bounded inbox let go of it (still listed until the next compaction)
_SEQ = attrgetter("seq")


class Inbox:
    """Every frame one client received, in arrival order, and which ones steps claimed.

    ``baseline`` is the index where "has received N messages" starts counting;
    :meth:`forget` moves it to the end.  Indexes count every frame ever received
    (``index == seq - 1``), dropped or not; ``len(inbox)`` is how many arrived.
    ``messages`` lists the frames kept: all of them unless ``limit`` is set.
    """

    __slots__ = (
        "messages",
        "baseline",
        "_open",
        "last_claimed",
        "limit",
        "received",
        "dropped",
        "dropped_since_baseline",
        "_claimed",
        "_cursor",
        "_dead",
    )

    def __init__(self, limit: int = 0) -> None:
        self.messages: list[Message] = []
        self.baseline = 0
        self._open: list[Message] = []
        """The unclaimed messages, oldest first: a wait looks at these only, so an early
        message nobody claims (a welcome) does not make every later wait walk the whole
        inbox."""
        self.last_claimed: Message | None = None
        self.limit = limit
        """At most this many claimed messages are kept (0: no limit)."""
        self.received = 0
        self.dropped = 0
        """Claimed messages a bounded inbox let go of, in all."""
        self.dropped_since_baseline = 0
        self._claimed = 0
        """Claimed messages still kept (counted only when bounded)."""
        self._cursor = 0  # where in ``messages`` the oldest kept claimed one may be
        self._dead = 0  # dropped messages still listed in ``messages``

    def __len__(self) -> int:
        return self.received

    def __iter__(self) -> Iterator[Message]:
        if self._dead:
            return (m for m in self.messages if not m.mark & _DROPPED)
        return iter(self.messages)

    def append(self, kind: Literal["text", "binary"], raw: str | bytes, at: float) -> Message:
        self.received += 1
        message = Message(self.received, at, kind, raw)
        self._open.append(message)
        self.messages.append(message)
        return message

    def append_value(
        self,
        kind: Literal["text", "binary"],
        raw: str | bytes,
        value: object,
        at: float,
        label: str | Callable[[], str] | None = None,
        protocol: bool = False,
    ) -> Message:
        """A message a codec decoded: ``value`` is what matchers see, ``raw`` what
        transcripts show, ``label`` its summary (see
        :class:`~wsbdd.model.message.DecodedMessage`).

        A ``protocol`` message (a Socket.IO namespace refused) is claimed on arrival:
        never unread, never a candidate for a generic wait, never counted (see
        :meth:`Count <wsbdd.expect.Count>`); a protocol's own steps look it up in
        :attr:`messages`."""
        self.received += 1
        message = DecodedMessage(self.received, at, kind, raw, value, label, protocol)
        self.messages.append(message)
        if protocol:
            message.mark = _BY_STEP
            self._claimed_now(message)
        else:
            self._open.append(message)
        return message

    def index_of(self, message: Message) -> int:
        return message.seq - 1

    def is_consumed(self, message: Message) -> bool:
        return bool(message.mark)

    def consume(self, message: Message, *, by_load: bool = False) -> None:
        """Mark a message claimed by a step; later steps skip it.

        ``by_load``: a load step counted it; it is nobody's "last message" and
        the transcript leaves it out (the step's metrics stand for it).
        """
        if not by_load:
            self.last_claimed = message
        first_claim = not message.mark
        message.mark = (message.mark & ~_WHO) | (_BY_LOAD if by_load else _BY_STEP)
        if first_claim:
            open_ = self._open
            at = bisect_left(open_, message.seq, key=_SEQ)
            if at < len(open_) and open_[at] is message:
                del open_[at]
            self._claimed_now(message)

    def _claimed_now(self, message: Message) -> None:
        message.release()  # no wait looks at it again: its parsed JSON can go
        if self.limit:
            self._claimed += 1
            if self._claimed > self.limit:
                self._drop_oldest_claimed()

    def _drop_oldest_claimed(self) -> None:
        """Let go of the oldest claimed messages beyond the limit (in arrival order)."""
        messages = self.messages
        index = self._cursor
        while self._claimed > self.limit:
            if index >= len(messages):
                index = 0  # one before the cursor was claimed late: look from the start
            old = messages[index]
            index += 1
            if old.mark and not old.mark & _DROPPED:
                old.mark |= _DROPPED
                self._claimed -= 1
                self.dropped += 1
                if old.seq > self.baseline:
                    self.dropped_since_baseline += 1
                self._dead += 1
        self._cursor = index
        # Compact once the dead are a quarter of the list (and at least 4): amortized
        # O(1) per message, and few dead messages hold memory in between.
        if self._dead >= max(4, len(messages) >> 2):
            self.messages = [m for m in messages if not m.mark & _DROPPED]
            self._dead = self._cursor = 0

    def counted_by_load(self, message: Message) -> bool:
        return message.mark & _WHO == _BY_LOAD

    @property
    def first_unconsumed(self) -> int:
        """Index of the oldest message no step has claimed (== len when none)."""
        return self._open[0].seq - 1 if self._open else self.received

    def unconsumed(self, start: int = 0) -> Iterator[Message]:
        """Unclaimed messages from index ``start`` on, oldest first.

        Those that arrived before the call; one claimed while the caller iterates
        is skipped.
        """
        open_ = self._open
        for message in open_[bisect_left(open_, start + 1, key=_SEQ) :]:
            if not message.mark:
                yield message

    def since(self, start: int) -> list[Message]:
        """The kept messages from index ``start`` on (claimed or not), oldest first."""
        messages = self.messages
        kept = messages[bisect_left(messages, start + 1, key=_SEQ) :]
        if self._dead:
            kept = [m for m in kept if not m.mark & _DROPPED]
        return kept

    def since_baseline(self) -> list[Message]:
        """Messages received since the last :meth:`forget` (claimed or not) and still kept."""
        return self.since(self.baseline)

    def forget(self) -> int:
        """Claim everything received so far and restart counting; returns how many were unread."""
        unread = len(self._open)
        open_, self._open = self._open, []
        for message in open_:
            message.mark = _BY_STEP
            self._claimed_now(message)
        self.baseline = self.received
        self.dropped_since_baseline = 0
        return unread

    def dropped_note(self, who: str) -> str:
        """The sentence for a step that needs messages this inbox has dropped."""
        n = self.dropped_since_baseline
        some = "1 claimed message" if n == 1 else f"{n} claimed messages"
        return (
            f"{who}'s inbox keeps only its {self.limit} most recently claimed messages "
            f"(inbox_limit = {self.limit}) and has dropped {some} this step would need to "
            f"look at; raise inbox_limit (0 keeps every message) to check them."
        )

    @property
    def last(self) -> Message | None:
        """The message the most recent step claimed, else the newest one received."""
        if self.last_claimed is not None:
            return self.last_claimed
        if not self.messages:
            return None
        for message in reversed(self.messages):
            if not message.mark & _DROPPED and not message.protocol:
                return message
        return None
