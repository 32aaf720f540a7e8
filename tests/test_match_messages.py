"""Message matchers: what an inbox waits for, and how a miss is explained."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hamcrest import assert_that

from wsbdd.match import (
    AnyMessage,
    BytesAre,
    Like,
    MessageMatcher,
    TextIs,
    Where,
    parse_condition,
    where,
)
from wsbdd.model.message import Message


def text(value: Any, seq: int = 1) -> Message:
    return Message(seq, 0.0, "text", value if isinstance(value, str) else json.dumps(value))


def binary(data: bytes) -> Message:
    return Message(1, 0.0, "binary", data)


CHAT = text({"type": "chat", "from": "alice", "content": "Hi"})


def test_where_all_conditions_on_the_same_message() -> None:
    matcher = where('$.type is "chat"', '$.content starts with "hello"')
    assert isinstance(matcher, Where)
    assert matcher.describe() == 'where $.type is "chat" and $.content starts with "hello"'
    assert not matcher.matches(CHAT)
    assert matcher.mismatch(CHAT) == '$.content was "Hi"'
    assert matcher.matches(text({"type": "chat", "content": "hello there"}))


def test_where_mismatch_lists_failing_conditions_shortly() -> None:
    two = where('$.type is "presence"', '$.content is "hello"')
    assert two.mismatch(CHAT) == '$.type was "chat" and $.content was "Hi"'
    four = where("$.a exists", "$.b exists", "$.c exists", '$.type is "chat"', "$.d exists")
    assert four.mismatch(CHAT) == "$.a was missing, $.b was missing and 2 more"


def test_where_on_plain_text_and_binary() -> None:
    assert where('$ is "hello"').matches(text("hello"))
    assert where('$ contains "ell"').matches(text("hello"))
    assert not where('$.type is "chat"').matches(text("hello"))
    hint = '$ was "Hello" (only the capitalisation differs)'
    assert where('$ is "hello"').mismatch(text("Hello")) == hint
    assert not where('$ is "hello"').matches(binary(b"hello"))
    assert where('$ is "hello"').mismatch(binary(b"hi")) == "$ was 0x6869"


def test_where_without_conditions_matches_anything() -> None:
    matcher = Where([])
    assert matcher.matches(binary(b""))
    assert matcher.describe() == "of any kind"
    assert matcher.score(CHAT) == 1.0


def test_where_parses_the_message_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    real_loads = json.loads

    def counting_loads(*args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        return real_loads(*args, **kwargs)

    matcher = where('$.type is "chat"', '$.from is "alice"', "$.content exists")
    message = text({"type": "chat", "from": "alice", "content": "x"})
    monkeypatch.setattr(json, "loads", counting_loads)
    for _ in range(3):
        assert matcher.matches(message)
        assert matcher.score(message) == 1.0
    assert len(calls) == 1


def test_score_orders_candidates_by_closeness() -> None:
    matcher = where('$.type is "chat"', '$.from is "bob"', '$.content starts with "hello"')
    candidates = [
        text({"type": "presence"}, 1),
        text({"type": "chat", "from": "bob", "content": "hello!"}, 2),
        text({"type": "chat", "from": "alice", "content": "hi"}, 3),
        text({"type": "chat", "from": "bob", "content": "bye"}, 4),
        text("not json", 5),
    ]
    ranked = sorted(candidates, key=matcher.score, reverse=True)
    assert [m.seq for m in ranked] == [2, 4, 3, 1, 5]
    assert [round(matcher.score(m), 2) for m in ranked] == [1.0, 0.67, 0.33, 0.0, 0.0]


def test_text_is() -> None:
    matcher = TextIs("hi")
    assert matcher.describe() == 'with the text "hi"'
    assert matcher.matches(text("hi"))
    assert not matcher.matches(text("Hi"))
    assert not matcher.matches(text('"hi"'))
    assert not matcher.matches(binary(b"hi"))
    assert matcher.mismatch(text("Hi")) == 'was "Hi"'
    assert matcher.mismatch(binary(b"hi")) == "was a binary frame (binary 2 bytes 0x6869)"
    assert matcher.score(text("hi!")) > matcher.score(text("ho")) > matcher.score(binary(b"hi"))
    assert TextIs('{"a": 1}').matches(text('{"a": 1}'))


def test_bytes_are() -> None:
    matcher = BytesAre(b"\x01\x02")
    assert matcher.describe() == "with the 2 bytes 0x0102"
    assert matcher.matches(binary(b"\x01\x02"))
    assert not matcher.matches(binary(b"\x01\x03"))
    assert not matcher.matches(text("\x01\x02"))
    assert matcher.mismatch(binary(b"\x01\x03")) == "was binary 2 bytes 0x0103"
    assert matcher.mismatch(text("hi")) == 'was a text frame "hi"'
    assert matcher.score(binary(b"\x01\x02")) == 1.0
    assert matcher.score(text("x")) == 0.0


def test_any_message() -> None:
    matcher = AnyMessage()
    assert matcher.matches(CHAT) and matcher.matches(binary(b""))
    assert matcher.describe() == "of any kind"
    assert matcher.score(CHAT) == 1.0


@pytest.mark.parametrize(
    "matcher",
    [where('$.type is "chat"'), Like({"type": "chat"}), TextIs("x"), BytesAre(b"x"), AnyMessage()],
)
def test_every_matcher_is_a_message_matcher(matcher: MessageMatcher) -> None:
    assert isinstance(matcher, MessageMatcher)
    assert matcher.describe() in repr(matcher)


def test_hamcrest_integration() -> None:
    assert_that(CHAT, where('$.type is "chat"'))
    with pytest.raises(AssertionError) as raised:
        assert_that(CHAT, where('$.content is "hello"'), "Bob's greeting")
    assert str(raised.value) == (
        'Bob\'s greeting\nExpected: a message where $.content is "hello"\n'
        '     but: $.content was "Hi"\n'
    )
    with pytest.raises(AssertionError) as raised:
        assert_that(CHAT, Like({"from": "bob"}), "from Bob")
    assert str(raised.value).endswith('but: $.from was "alice", expected "bob"\n')


def test_where_accepts_compiled_conditions() -> None:
    condition = parse_condition('$.from is "alice"')
    assert Where([condition]).matches(CHAT)
    assert Where((condition,)).conditions == (condition,)
