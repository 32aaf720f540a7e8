"""The ledger behind load metrics: which message reached whom, and how late (pure)."""

from __future__ import annotations

import math

import pytest

from wsbdd.load.correlate import Ledger
from wsbdd.model.inbox import Inbox


def _send(ledger: Ledger, sender: int, at: float) -> str:
    number, ident = ledger.new_id(sender)
    ledger.mark_sent(number, at)
    return ident


def test_ids_are_scoped_and_numbered_per_step():
    ledger = Ledger(["a", "b"], scope="abc123")
    assert ledger.new_id(0) == (0, "wsbdd-abc123-0")
    assert ledger.new_id(1) == (1, "wsbdd-abc123-1")
    assert ledger.sent == 0  # reserved, not sent yet
    ledger.mark_sent(0, 1.0)
    assert ledger.sent == 1


def test_delivery_and_round_trip_latency_are_told_apart():
    ledger = Ledger(["alice", "bob"], scope="aaaaaa")
    m0 = _send(ledger, 0, 10.0)
    alice, bob = Inbox(), Inbox()
    alice.append("text", f'{{"content": "hi {m0}"}}', 10.004)  # back at its sender
    bob.append("text", f'{{"content": "hi {m0}"}}', 10.010)
    bob.append("text", '{"type": "user_joined"}', 10.011)  # not the load step's
    assert ledger.scan(0, alice) == 1
    assert ledger.scan(1, bob) == 1
    tally = ledger.tally([0, 1])
    assert (tally.sent, tally.expected, tally.delivered) == (1, 2, 2)
    assert tally.round_trip.percentile(50) == pytest.approx(0.004)
    assert tally.delivery.percentile(50) == pytest.approx(0.010)
    assert tally.missing == []
    # counted frames are claimed (later steps skip them); the rest stay for other steps
    assert [m.seq for m in bob.unconsumed()] == [2]
    assert bob.counted_by_load(bob.messages[0])
    assert bob.last_claimed is None


def test_lost_duplicated_and_unexpected_messages_are_counted():
    ledger = Ledger(["a", "b", "c"], scope="bbbbbb")
    first = _send(ledger, 0, 1.0)
    second = _send(ledger, 0, 2.0)
    inboxes = [Inbox(), Inbox(), Inbox()]
    inboxes[1].append("text", first, 1.1)
    inboxes[1].append("text", first, 1.2)  # a second copy
    inboxes[2].append("text", second, 2.5)  # c was not expected to get anything
    for index, inbox in enumerate(inboxes):
        ledger.scan(index, inbox)
    tally = ledger.tally([1])
    assert (tally.expected, tally.delivered, tally.duplicates, tally.unexpected) == (2, 1, 1, 1)
    assert tally.missing == [(1, 1)]  # message 2 never reached b
    assert len(tally.delivery) == 1


def test_back_to_sender_only_counts_each_senders_own_messages():
    ledger = Ledger(["a", "b"], scope="cccccc")
    mine = _send(ledger, 0, 0.0)
    theirs = _send(ledger, 1, 0.0)
    a, b = Inbox(), Inbox()
    a.append("text", mine, 0.2)
    a.append("text", theirs, 0.3)  # a broadcast of b's message is not a reply to a
    ledger.scan(0, a)
    ledger.scan(1, b)
    tally = ledger.tally(None)
    assert (tally.expected, tally.delivered, tally.unexpected) == (2, 1, 1)
    assert tally.missing == [(1, 1)]
    assert tally.round_trip.percentile(100) == pytest.approx(0.2)


def test_each_frame_is_scanned_once_and_several_ids_in_one_frame_all_count():
    ledger = Ledger(["a", "b"], scope="dddddd")
    one, two = _send(ledger, 0, 0.0), _send(ledger, 0, 0.0)
    inbox = Inbox()
    inbox.append("text", f"[{one!r}, {two!r}]".replace("'", '"'), 0.5)
    assert ledger.scan(1, inbox) == 2
    assert ledger.scan(1, inbox) == 0
    inbox.append("binary", one.encode(), 0.6)
    assert ledger.scan(1, inbox) == 1
    assert ledger.tally([1]).duplicates == 1


def test_ids_of_another_step_and_unsent_numbers_are_ignored():
    ledger = Ledger(["a"], scope="eeeeee")
    number, ident = ledger.new_id(0)  # reserved but the send failed: never marked sent
    inbox = Inbox()
    inbox.append("text", "wsbdd-ffffff-0", 0.1)  # another step's id
    inbox.append("text", ident, 0.2)
    inbox.append("text", "wsbdd-eeeeee-99", 0.3)  # a number this step never used
    assert ledger.scan(0, inbox) == 2
    tally = ledger.tally([0])
    assert math.isnan(ledger.sent_at[number])
    assert (tally.sent, tally.expected, tally.delivered, tally.unscanned) == (0, 0, 0, 2)
    assert [m.seq for m in inbox.unconsumed()] == [1]


def test_a_receiver_that_sent_nothing_can_be_watched_too():
    ledger = Ledger(["a"], scope="abcdef")
    ident = _send(ledger, 0, 1.0)
    watcher = ledger.add_client("observer")
    inbox = Inbox()
    inbox.append("text", ident, 1.25)
    ledger.scan(watcher, inbox)
    tally = ledger.tally([watcher])
    assert (tally.expected, tally.delivered) == (1, 1)
    assert tally.delivery.percentile(50) == pytest.approx(0.25)


class _Walked(list):  # type: ignore[type-arg]
    """A list that counts how often it is walked."""

    walks = 0

    def __iter__(self):  # type: ignore[no-untyped-def]
        self.walks += 1
        return super().__iter__()


def test_counting_the_receipts_does_not_walk_every_client():
    # A wait for deliveries asks for the count after every wake-up: with a crowd of
    # 1,000 that was 1,000 lengths summed per wake-up.
    ledger = Ledger([f"c{i}" for i in range(1000)], scope="abc123")
    inbox = Inbox()
    inbox.append("text", _send(ledger, 0, 1.0), 2.0)
    ledger.scan(0, inbox)
    walked = _Walked(ledger._got_ids)
    ledger._got_ids = walked
    assert [ledger.total_received for _ in range(100)] == [1] * 100
    assert walked.walks == 0
    ledger.add_client("late")
    inbox2 = Inbox()
    inbox2.append("text", f"{_send(ledger, 1, 3.0)} twice: {ledger.prefix}0", 4.0)
    ledger.scan(1000, inbox2)
    assert ledger.total_received == 3
