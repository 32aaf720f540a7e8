"""Reading conditions out of step text: where a path ends, the matcher words, `` and $`` splits.

The readers jump between marks with regexes instead of walking every character.
Each is compared here with a plain character-by-character reading of the same
rules, on every short text built from the pieces that matter (quotes,
backslashes, brackets, spaces, `` and $``), so the two cannot drift apart.
"""

from __future__ import annotations

import itertools
import json

import pytest

from wsbdd.match import MATCHER_WORDS
from wsbdd.match.conditions import _path_end, _split_conditions, _split_words
from wsbdd.model.errors import FeatureMistake

PIECES = ["$.a", " and ", "$", '"', "'", "\\", "[", "]", "(", ")", "x", " ", "?(@.b"]


def texts(length: int) -> list[str]:
    return ["".join(p) for n in range(1, length + 1) for p in itertools.product(PIECES, repeat=n)]


def split_by_walking(text: str) -> list[str]:
    parts: list[str] = []
    depth, quote, start, index = 0, "", 0, 0
    while index < len(text):
        char = text[index]
        if quote:
            if char == "\\":
                index += 1
            elif char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        elif char in "[(":
            depth += 1
        elif char in "])":
            depth -= 1
        elif depth <= 0 and text.startswith(" and $", index):
            parts.append(text[start:index])
            start = index = index + len(" and ")
            continue
        index += 1
    parts.append(text[start:])
    return [p.strip() for p in parts if p.strip()]


def path_end_by_walking(text: str) -> int:
    depth, quote = 0, ""
    for index, char in enumerate(text):
        if quote:
            if char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        elif char in "[(":
            depth += 1
        elif char in "])":
            depth -= 1
        elif char.isspace() and depth <= 0:
            return index
    if depth > 0 or quote:
        return next((i for i, c in enumerate(text) if c.isspace()), len(text))
    return len(text)


def test_splitting_agrees_with_walking_every_character():
    checked = 0
    for text in texts(4):
        assert _split_conditions(text) == split_by_walking(text), repr(text)
        checked += 1
    assert checked > 30000


def test_path_end_agrees_with_walking_every_character():
    for text in texts(4):
        assert _path_end(text) == path_end_by_walking(text), repr(text)


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ('$.type is "chat" and $.room is "lobby"', ['$.type is "chat"', '$.room is "lobby"']),
        ('$.content is "salt and $pepper"', ['$.content is "salt and $pepper"']),
        ('$.content is "say \\" and $x"', ['$.content is "say \\" and $x"']),
        (
            "$.a[?(@.b == 1 and $.c)] is 2 and $.d is 3",
            ["$.a[?(@.b == 1 and $.c)] is 2", "$.d is 3"],
        ),
    ],
)
def test_examples(text: str, parts: list[str]):
    assert _split_conditions(text) == parts


def test_matcher_words_are_read_longest_first():
    for words in MATCHER_WORDS:
        assert _split_words(f"{words} 1") == (words, "1")
        assert _split_words(words.upper()) == (words, "")
    assert _split_words('is not "x"') == ("is not", '"x"')
    with pytest.raises(FeatureMistake):
        _split_words('isnt "x"')


CONDITION_TEXTS = [
    '$.type is "chat"',
    '$.type is "chat" and $.content starts with "hello and $x"',
    '$.content contains "a \\" quote" and $.n is 3',
    '$.tags is one of ["a", "b c"] and $.type is not "x"',
    '$.players[?(@.name == "bob")].score is 12',  # a string inside the path
    "$.players[?(@.name == 'bob')].score is 12",  # single quotes: read in full
    '$.sent_at is a timestamp and $.user is "Alice"',
    '$.a is "\\u00e9t\\u00e9" and $.b is ""',
    '$.x matches "^[a-z]+$" and $.y is null',
]
SAMPLES = [
    {"type": "chat", "content": "hello and $x", "n": 3, "tags": "a", "user": "Alice"},
    {"type": "chat", "content": 'a " quote', "n": 3, "tags": "b c", "x": "abc", "y": None},
    {"players": [{"name": "bob", "score": 12}], "a": "été", "b": ""},
    {"sent_at": "2024-05-01T12:00:00Z", "user": "Alice"},
    {"type": "x", "tags": "z", "x": "ABC"},
]


@pytest.mark.parametrize("text", CONDITION_TEXTS)
def test_a_shape_read_once_gives_the_same_matcher_as_reading_the_whole_text(text: str):
    from wsbdd.match import Where
    from wsbdd.match.conditions import _fixed_conditions
    from wsbdd.match.grammar import _NO_VARIABLES, condition
    from wsbdd.model.message import Message

    by_shape = Where(_fixed_conditions(text))
    in_full = Where([condition(part, _NO_VARIABLES) for part in _split_conditions(text)])
    assert by_shape.describe() == in_full.describe()
    for n, sample in enumerate(SAMPLES, 1):
        message = Message(n, 0.0, "text", json.dumps(sample))
        assert by_shape.matches(message) == in_full.matches(message), (text, sample)


def test_a_shape_with_a_mistake_is_reported_with_the_writers_text():
    from wsbdd.match.grammar import conditions
    from wsbdd.model.variables import Variables

    with pytest.raises(FeatureMistake) as mistake:
        conditions('"chat" is $.type', Variables())
    assert str(mistake.value).startswith(
        'The condition ""chat" is $.type" does not start with a JSONPath;'
    )
