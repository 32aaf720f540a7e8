"""Conditions as typed after "where": path, matcher phrase, value."""

from __future__ import annotations

from typing import Any

import pytest

from wsbdd.match import Condition, parse_condition
from wsbdd.model.errors import FeatureMistake

CHAT = {
    "type": "chat",
    "content": "Hi there",
    "n": 2,
    "sent_at": "2024-05-01T12:00:00Z",
    "players": [
        {"name": "alice", "score": 7, "online": True},
        {"name": "bob", "score": 12, "online": False},
    ],
    "tags": [],
}


@pytest.mark.parametrize(
    ("text", "path", "description", "passes"),
    [
        ('$.type is "chat"', "$.type", '$.type is "chat"', True),
        ('$.content starts with "hello"', "$.content", '$.content starts with "hello"', False),
        ("$.n is greater than 1", "$.n", "$.n is greater than 1", True),
        ("$.n > 1", "$.n", "$.n is greater than 1", True),
        ("$.n >= 2", "$.n", "$.n is at least 2", True),
        ("$.n =2", "$.n", "$.n is 2", True),
        ("$.sent_at is a timestamp", "$.sent_at", "$.sent_at is a timestamp", True),
        (
            '$.players[?(@.score > 10)].name contains "bo"',
            "$.players[?(@.score > 10)].name",
            '$.players[?(@.score > 10)].name contains "bo"',
            True,
        ),
        (
            "$.players[?(@.name == 'bob')].online is false",
            "$.players[?(@.name == 'bob')].online",
            "$.players[?(@.name == 'bob')].online is false",
            True,
        ),
        ('$["odd key"] does not exist', '$["odd key"]', '$["odd key"] does not exist', True),
        ("$.type IS NOT  'chat'", "$.type", '$.type is not "chat"', False),
        (
            '$.type is one of "chat", "presence"',
            "$.type",
            '$.type is one of ["chat", "presence"]',
            True,
        ),
        ('$.type is one of ["a", "b"]', "$.type", '$.type is one of ["a", "b"]', False),
        ("$.n is 2", "$.n", "$.n is 2", True),
        ('$.n is "2"', "$.n", '$.n is "2"', False),
        ("$.tags is empty", "$.tags", "$.tags is empty", True),
        ("$.players[*] has length 2", "$.players[*]", "$.players[*] has length 2", True),
        (
            "$.players[?(@.online)] has length 2",
            "$.players[?(@.online)]",
            "$.players[?(@.online)] has length 2",
            True,
        ),
        (
            "$.players[?(@.score > 10)] has length 1",
            "$.players[?(@.score > 10)]",
            "$.players[?(@.score > 10)] has length 1",
            True,
        ),
        (
            "$.players[?(@.score > 100)] is empty",
            "$.players[?(@.score > 100)]",
            "$.players[?(@.score > 100)] is empty",
            True,
        ),
        ("$.players[0] has length 3", "$.players[0]", "$.players[0] has length 3", True),
        ("$ is an object", "$", "$ is an object", True),
    ],
)
def test_parse_and_test(text: str, path: str, description: str, passes: bool) -> None:
    condition = parse_condition(text)
    assert isinstance(condition, Condition)
    assert condition.path.text == path
    assert condition.describe() == description
    assert condition.test(CHAT) is passes


@pytest.mark.parametrize(
    ("text", "value", "mismatch"),
    [
        ('$.content starts with "hello"', CHAT, '$.content was "Hi there"'),
        ('$.missing is "x"', CHAT, "$.missing was missing"),
        ('$.n is "2"', CHAT, '$.n was 2 (a number, not the text "2")'),
        ('$.players[*].name is "carol"', CHAT, '$.players[*].name were "alice" and "bob"'),
        ("$.players[*] has length 3", CHAT, "$.players[*] has 2 items"),
        ('$ is "hello"', "Hello", '$ was "Hello" (only the capitalisation differs)'),
    ],
)
def test_mismatch(text: str, value: Any, mismatch: str) -> None:
    condition = parse_condition(text)
    assert not condition.test(value)
    assert condition.mismatch(value) == mismatch


def test_plain_text_messages() -> None:
    assert parse_condition('$ is "hello"').test("hello")
    assert parse_condition('$ contains "ell"').test("hello")
    assert parse_condition('$ matches "h.*o"').test("hello")
    assert not parse_condition('$.content is "hello"').test("hello")


@pytest.mark.parametrize(
    ("text", "sentence"),
    [
        (
            'type is "chat"',
            'The condition "type is "chat"" does not start with a JSONPath; '
            'conditions look like: $.type is "chat".',
        ),
        (
            "$.a[ is 5",
            'The JSONPath "$.a[" is not valid (Parse error near the end of string); '
            "check its brackets and quotes, e.g. $.items[0].name or $.items[?(@.id == 3)].",
        ),
        (
            "$.type",
            'The condition "$.type" has no matcher after the path; '
            'write e.g. $.type is "chat" or $.type exists.',
        ),
        (
            '$.type "chat"',
            'The condition "$.type "chat"" has no matcher between the path and the value; '
            'write e.g. $.type is "chat".',
        ),
        (
            '$.type equalz "chat"',
            'Unknown matcher "equalz"; did you mean "equals" (the same as "is")? '
            "Known matchers: is, is not, "
            "contains, does not contain, starts with, ends with, matches, does not match, "
            "is greater than, is less than, is at least, is at most, is one of, has length, "
            "is a number, is a string, is a boolean, is a list, is an object, is a uuid, "
            "is a timestamp, is null, is not null, is true, is false, exists, does not exist, "
            "is empty, is not empty.",
        ),
        ("$.type is", 'The matcher "is" needs a value after it, e.g. $.type is "chat".'),
        (
            "$.id exists 5",
            'The matcher "exists" takes no value, but was given 5; remove the value, '
            "e.g. $.id exists.",
        ),
        (
            "$.n is greather than 3",
            'Unknown matcher "is greather than"; did you mean "is greater than"? To compare with '
            'the text "greather than 3", put it in quotes: is "greather than 3".',
        ),
        (
            "$.n is nul",
            'Unknown matcher "is nul"; did you mean "is null"? To compare with the text "nul", '
            'put it in quotes: is "nul".',
        ),
        (
            # Issue 13: text in a condition is quoted; unquoted words are a mistake, not text.
            "$.content is Hi there",
            'The condition "$.content is Hi there" compares with Hi there, which is not a '
            "number, true, false, null, JSON or quoted text; put text in quotes: "
            '$.content is "Hi there".',
        ),
        (
            "$.n is bigger than 3",
            'Unknown matcher "is bigger than"; did you mean "is greater than"? To compare with '
            'the text "bigger than 3", put it in quotes: is "bigger than 3".',
        ),
        (
            "$.kind is string",
            'Unknown matcher "is string"; did you mean "is a string"? To compare with the text '
            '"string", put it in quotes: is "string".',
        ),
    ],
)
def test_mistakes(text: str, sentence: str) -> None:
    with pytest.raises(FeatureMistake) as raised:
        parse_condition(text)
    assert str(raised.value) == sentence


def test_quoted_text_that_looks_like_a_matcher_is_a_value() -> None:
    assert parse_condition('$.kind is "string"').test({"kind": "string"})
    assert parse_condition('$.s is "nul"').test({"s": "nul"})
