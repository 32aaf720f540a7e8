"""The inbox: append-only, consumed marks, forget, last message."""

from wsbdd.model.inbox import Inbox


def filled(*texts: str) -> Inbox:
    inbox = Inbox()
    for i, text in enumerate(texts):
        inbox.append("text", text, float(i))
    return inbox


def test_sequence_numbers_count_from_one_in_arrival_order():
    inbox = filled("a", "b", "c")
    assert [m.seq for m in inbox] == [1, 2, 3]
    assert [m.raw for m in inbox.unconsumed()] == ["a", "b", "c"]


def test_consuming_skips_claimed_messages_and_advances_the_first_unread():
    inbox = filled("a", "b", "c")
    inbox.consume(inbox.messages[1])
    assert [m.raw for m in inbox.unconsumed()] == ["a", "c"]
    assert inbox.first_unconsumed == 0
    inbox.consume(inbox.messages[0])
    assert inbox.first_unconsumed == 2
    inbox.consume(inbox.messages[2])
    assert inbox.first_unconsumed == 3
    assert list(inbox.unconsumed()) == []


def test_unconsumed_from_an_index():
    inbox = filled("a", "b", "c", "d")
    assert [m.raw for m in inbox.unconsumed(2)] == ["c", "d"]


def test_forget_claims_everything_and_moves_the_counting_baseline():
    inbox = filled("a", "b")
    inbox.consume(inbox.messages[0])
    assert inbox.forget() == 1
    assert list(inbox.unconsumed()) == []
    assert inbox.since_baseline() == []
    inbox.append("text", "c", 9.0)
    assert [m.raw for m in inbox.since_baseline()] == ["c"]
    assert [m.raw for m in inbox.unconsumed()] == ["c"]


def test_last_is_the_last_claimed_message_else_the_newest():
    inbox = filled("a", "b", "c")
    assert inbox.last.raw == "c"
    inbox.consume(inbox.messages[0])
    assert inbox.last.raw == "a"


def test_messages_parse_json_once_and_fall_back_to_text():
    inbox = filled('{"type": "chat"}', "not json")
    first, second = inbox.messages
    assert first.json == {"type": "chat"}
    assert first.json is first.json
    assert first.value == {"type": "chat"}
    assert not second.is_json
    assert second.value == "not json"
    binary = inbox.append("binary", b"\x01\xff", 5.0)
    assert binary.value == b"\x01\xff"
    assert binary.preview() == "binary 2 bytes 0x01ff"
