"""Which message reached whom, and when: the bookkeeping behind honest delivery latency.

Pure: no sockets, no event loop.  A load step asks the :class:`Ledger` for a
fresh correlation id for every message it sends (``wsbdd-3f9a1c-17``) and notes
the monotonic time of the send.  The clients' inboxes already hold every frame
with its arrival time, taken by the reader task the moment the frame arrived;
:meth:`Ledger.scan` reads the new frames of an inbox, finds the ids in them
(wherever the payload carries them: a field, inside a text, nested) and notes
``(id, arrival)`` for that client.  :meth:`Ledger.tally` then says, for a set of
expected recipients, what was delivered, lost, duplicated or unexpected, and
every latency: send → receipt on one monotonic clock, never averaged.
"""

from __future__ import annotations

import math
import re
import secrets
from array import array
from collections.abc import Sequence
from dataclasses import dataclass, field

from wsbdd.load.metrics import Deliveries, Latencies
from wsbdd.model.inbox import Inbox
from wsbdd.model.message import Message

__all__ = ["Ledger", "Tally", "Recipients", "PLACEHOLDER", "new_scope"]

PLACEHOLDER = "${correlation_id}"
"""Where a load step's payload carries the message's id (inside a JSON string)."""

Recipients = Sequence[int] | None
"""Indexes of the clients each message must reach; ``None``: only its own sender."""


def new_scope() -> str:
    """A short random tag that keeps one load step's ids apart from every other's."""
    return secrets.token_hex(3)


@dataclass
class Tally(Deliveries):
    """What :meth:`Ledger.tally` found for one choice of expected recipients."""

    missing: list[tuple[int, int]] = field(default_factory=list)
    """Up to ``keep_missing`` (message number, recipient index) pairs that never arrived."""
    unscanned: int = 0
    """Frames that arrived with an id of this step but could not be attributed (unknown number)."""


class Ledger:
    """One load step's sends and correlated receipts, per client.

    Clients are numbered by their position in ``clients``.  Ids are
    ``wsbdd-<scope>-<n>`` where ``n`` numbers the step's messages from 0.
    """

    def __init__(self, clients: Sequence[str], scope: str | None = None) -> None:
        self.clients = list(clients)
        self.scope = scope or new_scope()
        self.prefix = f"wsbdd-{self.scope}-"
        self._pattern = re.compile(re.escape(self.prefix) + r"(\d+)")
        self.sender = array("i")
        self.sent_at = array("d")
        self._got_ids: list[array] = [array("q") for _ in self.clients]
        self._got_at: list[array] = [array("d") for _ in self.clients]
        self._scanned = [0] * len(self.clients)
        self._received = 0  # ids found by scan, all clients: asked at every wake-up
        self.stray = 0

    def add_client(self, name: str) -> int:
        """Watch one more client (a receiver that sends nothing); returns its index."""
        self.clients.append(name)
        self._got_ids.append(array("q"))
        self._got_at.append(array("d"))
        self._scanned.append(0)
        return len(self.clients) - 1

    # -- sending --------------------------------------------------------------

    def new_id(self, sender: int) -> tuple[int, str]:
        """Reserve the next message number for client ``sender``; returns (number, id text)."""
        number = len(self.sender)
        self.sender.append(sender)
        self.sent_at.append(math.nan)
        return number, f"{self.prefix}{number}"

    def mark_sent(self, number: int, at: float) -> None:
        self.sent_at[number] = at

    @property
    def sent(self) -> int:
        return sum(1 for at in self.sent_at if not math.isnan(at))

    # -- receiving --------------------------------------------------------------

    def scan(self, client: int, inbox: Inbox) -> int:
        """Note every id in the frames ``inbox`` got since the last scan; claim those frames.

        Claimed frames are the load step's: later "receives" steps and strict
        mode skip them, as they skip anything another step already matched.
        Returns how many ids were found.
        """
        start = self._scanned[client]
        end = len(inbox)
        if start >= end:
            return 0
        self._scanned[client] = end
        finditer = self._pattern.finditer
        prefix = self.prefix
        ids, ats = self._got_ids[client], self._got_at[client]
        found = 0
        for message in inbox.since(start):
            raw = message.raw
            text = raw if isinstance(raw, str) else raw.decode("latin-1")
            if prefix not in text:
                continue
            for match in finditer(text):
                ids.append(int(match[1]))
                ats.append(message.at)
                found += 1
            inbox.consume(message, by_load=True)
        self._received += found
        return found

    def carries(self, message: Message, number: int) -> bool:
        """Whether ``message`` carries the id of this step's message ``number``."""
        raw = message.raw
        text = raw if isinstance(raw, str) else raw.decode("latin-1")
        ident = f"{self.prefix}{number}"
        start = text.find(ident)
        while start >= 0:
            end = start + len(ident)
            if end == len(text) or not text[end].isdigit():  # not the start of a longer id
                return True
            start = text.find(ident, end)
        return False

    def scanned(self, client: int) -> int:
        """How many of the client's frames :meth:`scan` has read so far."""
        return self._scanned[client]

    def received(self, client: int) -> int:
        return len(self._got_ids[client])

    @property
    def total_received(self) -> int:
        # Kept as a count: a wait for deliveries asks after every wake-up, and summing
        # over every client each time cost clients x wake-ups with a large crowd.
        return self._received

    def recent_latencies(self, limit: int = 2000) -> Latencies:
        """Send-to-arrival times of about the last ``limit`` receipts (for a live p95).

        Cheap enough to call twice a second during a run: it looks at the tail
        of each client's receipts only, never the whole run.
        """
        sent_at, count = self.sent_at, len(self.sent_at)
        per_client = limit // max(1, len(self.clients)) + 1
        recent = Latencies()
        for ids, ats in zip(self._got_ids, self._got_at, strict=True):
            for number, at in zip(ids[-per_client:], ats[-per_client:], strict=True):
                if number < count and not math.isnan(sent_at[number]):
                    recent.add(at - sent_at[number])
        return recent

    # -- judging ------------------------------------------------------------------

    def expected(self, recipients: Recipients) -> int:
        sent = self.sent
        return sent if recipients is None else sent * len(recipients)

    def tally(
        self, recipients: Recipients, *, keep_missing: int = 10, latencies: bool = True
    ) -> Tally:
        """Deliveries against ``recipients`` (client indexes), or back to each sender (None).

        A receipt at a client is *delivery* latency when that client did not
        send the message and *round trip* when it did.  Only the first copy of
        a message at a client counts; later copies are duplicates.  A message
        at a client that was not expected to get it is unexpected.
        """
        sender, sent_at = self.sender, self.sent_at
        count = len(sender)
        tally = Tally(sent=self.sent)
        wanted = set(range(len(self.clients))) if recipients is None else set(recipients)
        own_sends = [0] * len(self.clients)
        if recipients is None:
            for number in range(count):
                if not math.isnan(sent_at[number]):
                    own_sends[sender[number]] += 1
        for client, (ids, ats) in enumerate(zip(self._got_ids, self._got_at, strict=True)):
            seen = bytearray(count)
            expected_here = client in wanted
            delivered_before = tally.delivered
            for number, at in zip(ids, ats, strict=True):
                if number >= count or math.isnan(sent_at[number]):
                    tally.unscanned += 1
                    continue
                own = sender[number] == client
                if recipients is None and not own or not expected_here:
                    tally.unexpected += 1
                    continue
                if seen[number]:
                    tally.duplicates += 1
                    continue
                seen[number] = 1
                tally.delivered += 1
                if latencies:
                    (tally.round_trip if own else tally.delivery).add(at - sent_at[number])
            due_here = own_sends[client] if recipients is None else tally.sent
            short = tally.delivered - delivered_before < due_here
            # Only a client that is short of messages is searched for the missing ones:
            # searching every client would cost clients x messages when nothing is lost.
            if keep_missing and len(tally.missing) < keep_missing and expected_here and short:
                for number in range(count):
                    if seen[number] or math.isnan(sent_at[number]):
                        continue
                    if recipients is None and sender[number] != client:
                        continue
                    tally.missing.append((number, client))
                    if len(tally.missing) >= keep_missing:
                        break
        tally.expected = self.expected(None if recipients is None else sorted(wanted))
        return tally
