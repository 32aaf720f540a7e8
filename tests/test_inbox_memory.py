"""What an inbox keeps in memory: parsed JSON only for candidates, and a bounded inbox.

Pure tests (no sockets) count parses and kept messages; the verdicts are the
same as with everything kept.  One behave run against the demo server shows
the bounded inbox through steps.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_behave_runs import behave, failures, make_project
from websockets.datastructures import Headers

import wsbdd.model.message
from wsbdd.expect import Count, Receive
from wsbdd.io.client import Client, ConnectionOutcome, frames_from
from wsbdd.load.correlate import Ledger
from wsbdd.match import where
from wsbdd.model.inbox import Inbox


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every text wsbdd.model.message parses as JSON."""
    seen: list[str] = []
    real = json.loads

    def counting(text: str) -> object:
        seen.append(text)
        return real(text)

    monkeypatch.setattr(wsbdd.model.message.json, "loads", counting)
    return seen


def chats(inbox: Inbox, n: int, start: int = 1) -> None:
    for i in range(start, start + n):
        inbox.append("text", json.dumps({"type": "chat", "n": i}), float(i))


# -- parsed JSON is kept for candidates only --------------------------------------------


def test_a_candidate_is_parsed_once_however_many_waits_look_at_it(parses: list[str]) -> None:
    inbox = Inbox()
    chats(inbox, 1)
    for wanted in ("a", "b", "c"):
        assert Receive("Alice", where(f'$.type is "{wanted}"'), 1).feed(inbox, 0) is None
    assert len(parses) == 1


def test_a_claimed_message_lets_go_of_its_parsed_value_and_parses_again_the_same(
    parses: list[str],
) -> None:
    inbox = Inbox()
    chats(inbox, 1)
    message = inbox.messages[0]
    before = message.json
    outcome = Receive("Alice", where('$.type is "chat"'), 1).feed(inbox, 0)
    assert outcome is not None and outcome.met
    assert len(parses) == 1
    assert message.json == before == {"type": "chat", "n": 1}  # asked again: parsed again
    assert len(parses) == 2
    assert message.raw == '{"type": "chat", "n": 1}'


def test_verdicts_over_claimed_messages_are_unchanged() -> None:
    inbox = Inbox()
    chats(inbox, 2)
    assert Receive("Alice", where("$.n is 1"), 1).feed(inbox, 0).met  # type: ignore[union-attr]
    count = Count("Alice", "exactly", 2, where('$.type is "chat"'), 1, 0)
    count.start(inbox, 0)
    assert count.feed(inbox, 0) is None  # reached 2, settling
    assert count.expire(inbox, 1).met
    # A wait for a message already claimed still says an earlier step took it.
    again = Receive("Alice", where("$.n is 1"), 0.5)
    again.start(inbox, 0)
    assert again.feed(inbox, 0) is None
    assert "had already been claimed by an earlier step" in again.expire(inbox, 1).failure
    assert inbox.last is not None and inbox.last.json == {"type": "chat", "n": 2}


# -- a bounded inbox ----------------------------------------------------------------


def test_a_bounded_inbox_keeps_its_memory_bounded_however_many_messages_come() -> None:
    inbox = Inbox(limit=5)
    for i in range(1, 10_001):
        message = inbox.append("text", f'{{"n": {i}}}', float(i))
        inbox.consume(message)
        assert len(inbox.messages) <= 5 + 4  # the limit, and a few dead between compactions
    assert len(inbox) == 10_000
    assert inbox.dropped >= 10_000 - 9
    assert [m.seq for m in inbox][-5:] == [9996, 9997, 9998, 9999, 10000]
    assert inbox.last is not None and inbox.last.seq == 10_000


def test_an_unbounded_inbox_keeps_everything() -> None:
    inbox = Inbox()
    chats(inbox, 50)
    for message in list(inbox):
        inbox.consume(message)
    assert len(list(inbox)) == 50 and inbox.dropped == 0


def test_unclaimed_messages_are_never_dropped() -> None:
    inbox = Inbox(limit=2)
    chats(inbox, 10)
    first = inbox.messages[0]
    for message in inbox.messages[1:]:
        inbox.consume(message)
    assert first in list(inbox)
    assert [m.seq for m in inbox.unconsumed()] == [1]
    assert [m.seq for m in inbox] == [1, 9, 10]
    assert inbox.first_unconsumed == 0
    got = Receive("Alice", where("$.n is 1"), 1).feed(inbox, 0)
    assert got is not None and got.met and got.messages == [first]


def test_counting_without_a_condition_counts_the_dropped_messages() -> None:
    inbox = Inbox(limit=2)
    chats(inbox, 7)
    for message in list(inbox):
        inbox.consume(message)
    assert len(list(inbox)) < 7
    for op, n, met in (("exactly", 7, True), ("at least", 7, True), ("at most", 6, False)):
        count = Count("Alice", op, n, None, 1, 0)  # type: ignore[arg-type]
        count.start(inbox, 0)
        outcome = count.feed(inbox, 0) or count.expire(inbox, 1)
        assert outcome.met is met, (op, n, outcome.failure)
    failed = Count("Alice", "exactly", 6, None, 1, 0)
    failed.start(inbox, 0)
    assert "but received 7" in (failed.feed(inbox, 0) or failed.expire(inbox, 1)).failure


def test_a_count_that_needs_dropped_messages_says_the_limit_dropped_them() -> None:
    inbox = Inbox(limit=2)
    chats(inbox, 5)
    for message in list(inbox):
        inbox.consume(message)
    count = Count("Alice", "exactly", 5, where('$.type is "chat"'), 1, 0)
    count.start(inbox, 0)
    outcome = count.feed(inbox, 0) or count.expire(inbox, 1)
    assert not outcome.met
    assert outcome.failure == (
        'Alice expected exactly 5 messages where $.type is "chat", but Alice\'s inbox keeps '
        "only its 2 most recently claimed messages (inbox_limit = 2) and has dropped 3 claimed "
        "messages this step would need to look at; raise inbox_limit (0 keeps every message) "
        "to check them."
    )
    # "at least" is still met when the messages it kept are enough.
    enough = Count("Alice", "at least", 2, where('$.type is "chat"'), 1, 0)
    enough.start(inbox, 0)
    assert enough.feed(inbox, 0) is not None


def test_forgetting_restarts_the_dropped_count() -> None:
    inbox = Inbox(limit=1)
    chats(inbox, 4)
    inbox.forget()
    assert inbox.dropped == 3 and inbox.dropped_since_baseline == 0
    chats(inbox, 2, start=5)
    count = Count("Alice", "exactly", 2, where('$.type is "chat"'), 1, 0)
    count.start(inbox, 0)
    assert (count.feed(inbox, 0) or count.expire(inbox, 1)).met


def test_a_load_scan_reads_a_bounded_inbox_by_position() -> None:
    ledger = Ledger(["a"], scope="abc")
    inbox = Inbox(limit=2)
    for i in range(6):
        number, ident = ledger.new_id(0)
        ledger.mark_sent(number, 0.0)
        inbox.append("text", json.dumps({"id": ident}), float(i))
        if i % 2:
            assert ledger.scan(0, inbox) == 2
    assert ledger.received(0) == 6
    assert len(inbox) == 6 and len(list(inbox)) <= 2


# -- per-client objects ----------------------------------------------------------------


def test_response_headers_are_read_on_demand_not_copied_per_client(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    copies = 0
    real = Headers.raw_items

    def counting(self: Headers) -> object:
        nonlocal copies
        copies += 1
        return real(self)

    monkeypatch.setattr(Headers, "raw_items", counting)
    outcomes = []
    for _ in range(3):
        outcome = ConnectionOutcome(url="ws://x", status=101)
        outcome.headers = Headers([("Upgrade", "websocket"), ("X-Id", "7")])
        outcomes.append(outcome)
    assert copies == 0
    assert outcomes[0].headers == {"Upgrade": "websocket", "X-Id": "7"}
    assert outcomes[0].headers is outcomes[0].headers
    assert copies == 1
    plain = ConnectionOutcome(url="ws://x", headers={"A": "1"})
    assert plain.headers == {"A": "1"} and ConnectionOutcome(url="ws://x").headers == {}


def test_a_client_gets_a_listener_set_only_when_someone_listens() -> None:
    alice, bob = Client("Alice"), Client("Bob")
    assert alice.listeners is bob.listeners and not alice.listeners
    with frames_from([alice]) as arrivals:
        assert arrivals in alice.listeners and not bob.listeners
    assert not alice.listeners


# -- through behave -------------------------------------------------------------------

BOUNDED = """\
    Feature: A bounded inbox
      Scenario: Counting still works once claimed messages are dropped
        Given Alice is connected
        When Alice sends 5 messages:
          \"\"\"
          {"type": "echo", "content": "number ${i}"}
          \"\"\"
        Then Alice has received at least 5 messages where $.type is "echo"
        And Alice has received exactly 5 messages

      Scenario: A count over dropped messages says how to keep them
        Given Alice is connected
        When Alice sends 5 messages:
          \"\"\"
          {"type": "echo", "content": "number ${i}"}
          \"\"\"
        Then Alice has received at least 5 messages where $.type is "echo"
        And Alice has received exactly 5 messages where $.type is "echo"
"""


def test_a_bounded_inbox_through_behave_against_the_demo(tmp_path: Path) -> None:
    project = make_project(tmp_path, BOUNDED, "[tool.wsbdd]\ninbox_limit = 2\n")
    result = behave(project, "-f", "plain")
    output = result.stdout
    assert "1 scenario passed, 1 failed" in output, failures(output + result.stderr)
    assert (
        'ASSERT FAILED: Alice expected exactly 5 messages where $.type is "echo", but '
        "Alice's inbox keeps only its 2 most recently claimed messages (inbox_limit = 2) and "
        "has dropped 3 claimed messages this step would need to look at; raise inbox_limit "
        "(0 keeps every message) to check them." in output
    ), failures(output)
    assert "Traceback" not in output + result.stderr
