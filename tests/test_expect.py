"""Waiting rules over an inbox, fed by hand with times: semantics and failure sentences."""

import json
import re

from wsbdd.expect import AnyOrder, Count, InOrder, Quiet, Receive, Until, unclaimed
from wsbdd.match import AnyMessage, Like, where
from wsbdd.model.inbox import Inbox


def add(inbox: Inbox, at: float, **fields: object) -> None:
    inbox.append("text", json.dumps(fields), at)


def strip_times(text: str) -> str:
    return re.sub(r"\d\d:\d\d:\d\d\.\d\d\d", "HH:MM:SS.mmm", text)


def test_receive_claims_the_first_match_and_skips_others_without_claiming():
    inbox = Inbox()
    add(inbox, 0, type="welcome")
    add(inbox, 0, type="chat", content="hi")
    exp = Receive("Bob", where('$.type is "chat"'), 2.0)
    exp.start(inbox, 0)
    outcome = exp.feed(inbox, 0)
    assert outcome.met and outcome.messages[0].seq == 2
    assert [m.seq for m in inbox.unconsumed()] == [1]


def test_receive_finds_a_message_that_arrived_before_the_step():
    inbox = Inbox()
    add(inbox, 0, type="chat")
    exp = Receive("Bob", where('$.type is "chat"'), 2.0)
    exp.start(inbox, 5)
    assert exp.feed(inbox, 5).met


def test_receive_waits_for_later_messages_scanning_each_once():
    inbox = Inbox()
    exp = Receive("Bob", where('$.type is "chat"'), 2.0)
    exp.start(inbox, 0)
    assert exp.feed(inbox, 0) is None
    add(inbox, 0.5, type="presence")
    assert exp.feed(inbox, 0.5) is None
    add(inbox, 0.7, type="chat")
    assert exp.feed(inbox, 0.7).messages[0].seq == 2
    assert exp.examined and exp.examined[0].seq == 1
    assert exp.deadline == 2.0


def test_two_receives_claim_two_different_messages():
    inbox = Inbox()
    add(inbox, 0, type="chat", n=1)
    add(inbox, 0, type="chat", n=2)
    first = Receive("Bob", where('$.type is "chat"'), 1)
    first.start(inbox, 0)
    second = Receive("Bob", where('$.type is "chat"'), 1)
    assert first.feed(inbox, 0).messages[0].json["n"] == 1
    second.start(inbox, 0)
    assert second.feed(inbox, 0).messages[0].json["n"] == 2


def test_receive_failure_sentence_lists_the_unread_messages_and_why():
    inbox = Inbox()
    add(inbox, 0, type="chat", content="Hi")
    add(inbox, 0, type="chat", content="Hey")
    exp = Receive("Bob", where('$.content starts with "hello"'), 2.0)
    exp.start(inbox, 0)
    assert exp.feed(inbox, 0) is None
    failure = strip_times(exp.expire(inbox, 2.0).failure)
    assert failure == (
        'Bob expected a message where $.content starts with "hello" within 2.0 s, '
        "but had 2 unread messages, none matched:\n"
        '  #1 HH:MM:SS.mmm {"type": "chat", "content": "Hi"}   ($.content was "Hi")\n'
        '  #2 HH:MM:SS.mmm {"type": "chat", "content": "Hey"}   ($.content was "Hey")'
    )


def test_receive_failure_when_nothing_arrived():
    inbox = Inbox()
    exp = Receive("Carol", where('$.type is "chat"'), 0.5)
    exp.start(inbox, 0)
    exp.feed(inbox, 0)
    assert exp.expire(inbox, 0.5).failure == (
        'Carol expected a message where $.type is "chat" within 500 ms, '
        "but received no message in that time."
    )


def test_receive_failure_mentions_a_match_already_claimed_by_an_earlier_step():
    inbox = Inbox()
    add(inbox, 0, type="chat")
    inbox.consume(inbox.messages[0])
    exp = Receive("Bob", where('$.type is "chat"'), 1)
    exp.start(inbox, 0)
    exp.feed(inbox, 0)
    failure = strip_times(exp.expire(inbox, 1).failure)
    assert failure.endswith(
        "A matching message (#1 at HH:MM:SS.mmm) had already been claimed by an earlier step; "
        "each message satisfies one step."
    )


def test_receive_shows_the_closest_five_candidates():
    inbox = Inbox()
    for i in range(8):
        add(inbox, 0, type="other", n=i)
    add(inbox, 0, type="chat", content="nope")
    exp = Receive("Bob", where('$.type is "chat"', '$.content is "yes"'), 1)
    exp.start(inbox, 0)
    exp.feed(inbox, 0)
    failure = exp.expire(inbox, 1).failure
    assert "#9 " in failure  # the half-matching message is among the closest
    assert "… and 4 more not shown" in failure


def test_receive_any_message_skips_noise():
    inbox = Inbox()
    add(inbox, 0, type="welcome")
    add(inbox, 0, type="chat")
    noise = where('$.type is "welcome"').matches
    exp = Receive("Bob", AnyMessage(), 1, noise)
    exp.start(inbox, 0)
    assert exp.feed(inbox, 0).messages[0].seq == 2


def test_connection_closed_while_waiting_is_explained():
    inbox = Inbox()
    exp = Receive("Bob", where('$.type is "chat"'), 1)
    exp.start(inbox, 0)
    exp.feed(inbox, 0)
    outcome = exp.closed(inbox, 0.1, "closed with code 1006")
    assert not outcome.met
    assert outcome.failure.endswith("Bob's connection closed with code 1006 while waiting.")


def test_quiet_fails_at_once_on_an_early_unread_message():
    inbox = Inbox()
    add(inbox, 0, type="chat", content="leak")
    exp = Quiet("Carol", None, 0.3)
    exp.start(inbox, 1)
    outcome = exp.feed(inbox, 1)
    assert not outcome.met
    assert strip_times(outcome.failure) == (
        "Carol expected no message within 300 ms, but received:\n"
        '  #1 HH:MM:SS.mmm {"type": "chat", "content": "leak"}'
    )


def test_quiet_passes_at_the_deadline_and_ignores_claimed_noise_and_non_matching():
    inbox = Inbox()
    add(inbox, 0, type="welcome")
    add(inbox, 0, type="claimed")
    inbox.consume(inbox.messages[1])
    exp = Quiet("Carol", None, 0.3, where('$.type is "welcome"').matches)
    exp.start(inbox, 0)
    assert exp.feed(inbox, 0) is None
    filtered = Quiet("Carol", where('$.type is "chat"'), 0.3)
    filtered.start(inbox, 0)
    add(inbox, 0.1, type="presence")
    assert filtered.feed(inbox, 0.1) is None
    assert filtered.expire(inbox, 0.3).met
    assert exp.closed(inbox, 0, "closed").met  # already ended when the window began


def test_quiet_fails_when_the_connection_ends_inside_the_window():
    """The silence after a connection ends is the connection's, not the server's: the rest
    of the window went unwatched, so the step must not pass as if it had watched."""
    inbox = Inbox()
    exp = Quiet("Carol", where('$.type is "chat"'), 0.3)
    exp.start(inbox, 0)
    outcome = exp.closed(inbox, 0.1, "was lost without a closing handshake (1006)")
    assert not outcome.met
    assert outcome.failure == (
        'Carol expected no message where $.type is "chat" within 300 ms, but the connection '
        "was lost without a closing handshake (1006) after 100 ms, so the rest of the time "
        "went unwatched."
    )


def test_count_at_least_is_met_as_soon_as_reached_and_claims_them():
    inbox = Inbox()
    exp = Count("Alice", "at least", 2, where('$.type is "echo"'), 2.0, 0.1)
    exp.start(inbox, 0)
    add(inbox, 0.1, type="echo")
    assert exp.feed(inbox, 0.1) is None
    add(inbox, 0.2, type="echo")
    outcome = exp.feed(inbox, 0.2)
    assert outcome.met and len(outcome.messages) == 2
    assert list(inbox.unconsumed()) == []


def test_count_exactly_settles_before_passing():
    inbox = Inbox()
    exp = Count("Alice", "exactly", 2, where('$.type is "echo"'), 2.0, 0.1)
    exp.start(inbox, 0)
    add(inbox, 0.1, type="echo")
    add(inbox, 0.1, type="echo")
    assert exp.feed(inbox, 0.1) is None
    assert abs(exp.deadline - 0.2) < 1e-9  # settle window, not the full timeout
    assert exp.expire(inbox, 0.2).met


def test_count_exactly_fails_on_an_extra_message_during_the_settle_window():
    inbox = Inbox()
    exp = Count("Alice", "exactly", 1, where('$.type is "echo"'), 2.0, 0.1)
    exp.start(inbox, 0)
    add(inbox, 0.1, type="echo", n=1)
    assert exp.feed(inbox, 0.1) is None
    add(inbox, 0.15, type="echo", n=2)
    outcome = exp.feed(inbox, 0.15)
    assert not outcome.met
    assert strip_times(outcome.failure) == (
        'Alice expected exactly 1 message where $.type is "echo", but received 2:\n'
        '  #1 HH:MM:SS.mmm {"type": "echo", "n": 1}\n'
        '  #2 HH:MM:SS.mmm {"type": "echo", "n": 2}'
    )


def test_count_counts_claimed_messages_since_the_baseline():
    inbox = Inbox()
    add(inbox, 0, type="echo")
    inbox.forget()
    add(inbox, 0, type="echo")
    inbox.consume(inbox.messages[1])
    exp = Count("Alice", "exactly", 1, where('$.type is "echo"'), 1, 0.1)
    exp.start(inbox, 0)
    exp.feed(inbox, 0)
    assert exp.expire(inbox, 0.1).met


def test_count_too_few_by_the_deadline():
    inbox = Inbox()
    exp = Count("Alice", "exactly", 3, None, 2.0, 0.1)
    exp.start(inbox, 0)
    exp.feed(inbox, 0)
    assert exp.expire(inbox, 2.0).failure == (
        "Alice expected exactly 3 messages, but received none in 2.0 s."
    )


def test_in_order_allows_interleaving_and_claims_only_the_matches():
    inbox = Inbox()
    for kind in ("a", "x", "b", "c"):
        add(inbox, 0, type=kind)
    rows = [where('$.type is "a"'), where('$.type is "b"'), where('$.type is "c"')]
    exp = InOrder("Alice", rows, 1)
    exp.start(inbox, 0)
    outcome = exp.feed(inbox, 0)
    assert outcome.met and [m.seq for m in outcome.messages] == [1, 3, 4]
    assert [m.seq for m in inbox.unconsumed()] == [2]


def test_in_order_failure_explains_a_reversed_order():
    inbox = Inbox()
    add(inbox, 0, type="b")
    add(inbox, 0, type="a")
    exp = InOrder("Alice", [where('$.type is "a"'), where('$.type is "b"')], 1)
    exp.start(inbox, 0)
    assert exp.feed(inbox, 0) is None
    assert exp.expire(inbox, 1).failure == (
        "Alice expected 2 messages in this order within 1.0 s:\n"
        '  1. a message where $.type is "a"\n'
        '  2. a message where $.type is "b"\n'
        "but matched row 1 by #2, and nothing after #2 matched row 2.\n"
        "#1 matches row 2 but arrived before #2: the order differs."
    )


def test_any_order_finds_a_full_assignment():
    inbox = Inbox()
    add(inbox, 0, type="chat", content="b")
    add(inbox, 0, type="chat", content="a")
    rows = [where('$.type is "chat"'), where('$.content is "b"')]
    exp = AnyOrder("Alice", rows, 1)
    exp.start(inbox, 0)
    outcome = exp.feed(inbox, 0)
    # The greedy choice (#1 for row 1) would leave row 2 without a message.
    assert outcome.met and sorted(m.seq for m in outcome.messages) == [1, 2]


def test_any_order_failure_names_the_missing_row():
    inbox = Inbox()
    add(inbox, 0, type="chat", content="a")
    rows = [where('$.content is "a"'), where('$.content is "b"')]
    exp = AnyOrder("Alice", rows, 1)
    exp.start(inbox, 0)
    assert exp.feed(inbox, 0) is None
    assert strip_times(exp.expire(inbox, 1).failure) == (
        "Alice expected 2 messages in any order within 1.0 s:\n"
        '  1. a message where $.content is "a"\n'
        '  2. a message where $.content is "b"\n'
        "but no message was left for row 2.\n"
        "Closest unread messages for row 2:\n"
        '  #1 HH:MM:SS.mmm {"type": "chat", "content": "a"}   ($.content was "a")'
    )


def test_until_collects_up_to_and_including_the_marker():
    inbox = Inbox()
    add(inbox, 0, type="welcome")
    for n in (1, 2, 3):
        add(inbox, 0, type="update", n=n, last=n == 3)
    add(inbox, 0, type="after")
    exp = Until("Alice", where("$.last is true"), 1, where('$.type is "welcome"').matches)
    exp.start(inbox, 0)
    outcome = exp.feed(inbox, 0)
    assert [m.json["n"] for m in outcome.messages] == [1, 2, 3]
    assert [m.seq for m in inbox.unconsumed()] == [1, 5]


def test_until_failure_lists_what_was_collected():
    inbox = Inbox()
    add(inbox, 0, type="update", n=1, last=False)
    exp = Until("Alice", where("$.last is true"), 1)
    exp.start(inbox, 0)
    exp.feed(inbox, 0)
    assert strip_times(exp.expire(inbox, 1).failure) == (
        "Alice expected a message where $.last is true to end its collection within 1.0 s, "
        "but none came; it collected 1:\n"
        '  #1 HH:MM:SS.mmm {"type": "update", "n": 1, "last": false}   ($.last was false)'
    )


def test_like_template_drives_a_receive():
    inbox = Inbox()
    add(inbox, 0, type="chat", id="9b2f6a7e-1c7b-4f1e-8a39-2f1f0c2b9d11", extra=1)
    exp = Receive("Bob", Like({"type": "chat", "id": "#uuid"}), 1)
    exp.start(inbox, 0)
    assert exp.feed(inbox, 0).met


def test_unclaimed_ignores_noise():
    inbox = Inbox()
    add(inbox, 0, type="welcome")
    add(inbox, 0, type="chat")
    noise = where('$.type is "welcome"').matches
    assert [m.seq for m in unclaimed(inbox, noise)] == [2]
