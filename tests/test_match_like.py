"""Karate-style templates: markers, nesting, arrays, and the path of the first difference."""

from __future__ import annotations

import json
from typing import Any

import pytest

from wsbdd.match import Like
from wsbdd.model.errors import FeatureMistake
from wsbdd.model.message import Message

UUID = "3f1c2a9e-8b7d-4c1e-9f00-123456789abc"


def text(value: Any) -> Message:
    return Message(1, 0.0, "text", value if isinstance(value, str) else json.dumps(value))


def like(template: Any, value: Any) -> bool:
    return Like(template).matches(text(value))


# (marker, a value that matches, a value that does not, or MISSING for the key absent)
MISSING = object()
MARKER_CASES: list[tuple[str, Any, Any]] = [
    ("#ignore", MISSING, None),  # never fails: see test below
    ("#present", None, MISSING),
    ("#notpresent", MISSING, None),
    ("#null", None, MISSING),
    ("#null", None, 0),
    ("#notnull", 0, None),
    ("#notnull", "", MISSING),
    ("#string", "", 5),
    ("#string", "x", MISSING),
    ("#number", 2.5, "2.5"),
    ("#number", 0, False),
    ("#boolean", False, 0),
    ("#array", [], {}),
    ("#object", {}, []),
    ("#uuid", UUID, "abc"),
    ("#timestamp", "2024-05-01T12:00:00Z", "noon"),
    ("#regex [a-z]+-\\d+", "abc-12", "abc-12x"),
    ("#regex [a-z]+-\\d+", "abc-12", 12),
    ("#[2]", [1, 2], [1]),
    ("#[0]", [], {}),
    ("#[]", [], "[]"),
    ("##string", MISSING, 5),
    ("##string", None, 5),
    ("##string", "x", []),
    ("##number", 3, "3"),
    ("##uuid", UUID, "abc"),
]


def wrap(value: Any) -> dict[str, Any]:
    return {"other": 1} if value is MISSING else {"other": 1, "k": value}


@pytest.mark.parametrize(("marker", "good", "bad"), MARKER_CASES)
def test_markers(marker: str, good: Any, bad: Any) -> None:
    assert like({"k": marker}, wrap(good))
    if marker != "#ignore":
        assert not like({"k": marker}, wrap(bad))


def test_ignore_accepts_anything() -> None:
    for value in (MISSING, None, 0, "", [], {}):
        assert like({"k": "#ignore"}, wrap(value))


def test_objects_are_partial_and_recursive() -> None:
    template = {"type": "chat", "user": {"name": "alice"}}
    assert like(template, {"type": "chat", "extra": 1, "user": {"name": "alice", "id": 7}})
    assert not like(template, {"type": "chat", "user": {"name": "al"}})
    assert not like(template, {"type": "chat", "user": "alice"})
    assert not like(template, {"type": "chat"})
    assert like({}, {"anything": 1})
    assert not like({}, [1])


def test_arrays_have_the_same_length_and_match_in_order() -> None:
    template = {"tags": ["a", "#string"], "items": [{"id": 1}, {"id": "#number"}]}
    assert like(template, {"tags": ["a", "b"], "items": [{"id": 1, "x": 0}, {"id": 2}]})
    assert not like(template, {"tags": ["b", "a"], "items": [{"id": 1}, {"id": 2}]})
    assert not like(template, {"tags": ["a", "b", "c"], "items": [{"id": 1}, {"id": 2}]})
    assert not like(template, {"tags": ["a", "b"], "items": [{"id": 2}, {"id": 1}]})


def test_literals_are_json_typed() -> None:
    assert like({"n": 5}, {"n": 5.0})
    assert not like({"n": 5}, {"n": "5"})
    assert not like({"ok": True}, {"ok": 1})
    assert like({"v": None}, {"v": None})
    assert not like({"v": None}, {})


def test_a_template_that_is_not_an_object_matches_the_whole_value() -> None:
    assert like("hello", "hello") is False  # non-JSON text never matches a Like
    assert like("hello", '"hello"')
    assert like(5, 5)
    assert like("#number", 5)
    assert like([1, "#string"], [1, "x"])
    assert not like([1, "#string"], [1, "x", 2])


@pytest.mark.parametrize(
    ("template", "value", "mismatch"),
    [
        (
            {"user": {"name": "alice"}},
            {"user": {"name": "al"}},
            '$.user.name was "al", expected "alice"',
        ),
        ({"id": "#uuid"}, {}, "$.id was missing, expected a uuid"),
        ({"id": "#uuid"}, {"id": "x"}, '$.id was "x", expected a uuid'),
        ({"tags": "#[3]"}, {"tags": ["a", "b"]}, "$.tags has 2 items, expected 3"),
        ({"tags": "#[1]"}, {"tags": "a"}, '$.tags was "a", expected a list of 1 item'),
        ({"tags": ["a", "b", "c"]}, {"tags": ["a", "b"]}, "$.tags has 2 items, expected 3"),
        ({"tags": ["a", "c"]}, {"tags": ["a", "b"]}, '$.tags[1] was "b", expected "c"'),
        ({"n": 5}, {"n": "5"}, '$.n was "5" (a text, not the number 5), expected 5'),
        ({"user": {"name": "x"}}, {"user": None}, "$.user was null, expected an object"),
        ({"a b": {"c": 1}}, {"a b": {"c": 2}}, '$["a b"].c was 2, expected 1'),
        ({"secret": "#notpresent"}, {"secret": "x"}, '$.secret was "x", expected it to be absent'),
        ({"k": "#present"}, {}, "$.k was missing, expected it to be present"),
        ({"k": "#notnull"}, {"k": None}, "$.k was null, expected a value that is not null"),
        ({"k": "##number"}, {"k": "1"}, '$.k was "1", expected a number, null or nothing'),
        ({"k": "#regex a+"}, {"k": "b"}, '$.k was "b", expected text matching the regex "a+"'),
        (
            {"a": 1, "b": 2, "c": 3},
            {"a": 0, "b": 0, "c": 3},
            "$.a was 0, expected 1 (and 1 more difference)",
        ),
        ({"a": 1, "b": 2, "c": 3}, {}, "$.a was missing, expected 1 (and 2 more differences)"),
        ([1, 2], [1, 3], "$[1] was 3, expected 2"),
        ({"a": 1}, [1], "$ was [1], expected an object"),
    ],
)
def test_mismatch_names_the_path_of_the_first_difference(
    template: Any, value: Any, mismatch: str
) -> None:
    matcher = Like(template)
    message = text(value)
    assert not matcher.matches(message)
    assert matcher.mismatch(message) == mismatch


def test_not_json() -> None:
    matcher = Like({"type": "chat"})
    message = text("hello, world")
    assert not matcher.matches(message)
    assert matcher.mismatch(message) == "was not JSON: hello, world"
    binary = Message(1, 0.0, "binary", b"\x01\x02")
    assert matcher.mismatch(binary) == "was not JSON: binary 2 bytes 0x0102"
    assert matcher.score(binary) == 0.0


def test_describe() -> None:
    assert Like({"type": "chat", "id": "#uuid"}).describe() == (
        'like {"type": "chat", "id": "#uuid"}'
    )


def test_score_counts_the_checks_that_passed() -> None:
    matcher = Like({"type": "chat", "from": "bob", "id": "#uuid", "n": "#number"})
    assert matcher.score(text({"type": "chat", "from": "bob", "id": UUID, "n": 1})) == 1.0
    assert matcher.score(text({"type": "chat", "from": "bob", "id": UUID})) == 0.75
    assert matcher.score(text({"type": "chat"})) == 0.25
    assert matcher.score(text([1])) == 0.0


@pytest.mark.parametrize(
    ("template", "sentence"),
    [
        (
            {"k": "#strin"},
            'Unknown marker "#strin" in the JSON template; did you mean "#string"? Known markers: '
            "#ignore, #present, #notpresent, #null, #notnull, #string, #number, #boolean, #array, "
            "#object, #uuid, #timestamp, #regex <pattern>, #[n], #[], ##string (to compare with "
            'text that starts with #, use a condition such as $.tag is "#strin").',
        ),
        (
            {"k": ["#general"]},
            'Unknown marker "#general" in the JSON template; known markers: '
            "#ignore, #present, #notpresent, #null, #notnull, #string, #number, #boolean, #array, "
            "#object, #uuid, #timestamp, #regex <pattern>, #[n], #[], ##string (to compare with "
            'text that starts with #, use a condition such as $.tag is "#general").',
        ),
        (
            {"k": "#regex ("},
            'The regular expression "(" is not valid (missing ), unterminated subpattern at '
            'position 0); fix it, e.g. "[a-z]+-[0-9]+".',
        ),
    ],
)
def test_template_mistakes(template: Any, sentence: str) -> None:
    with pytest.raises(FeatureMistake) as raised:
        Like(template)
    assert str(raised.value) == sentence
