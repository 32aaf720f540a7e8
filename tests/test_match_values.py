"""Values as feature writers type them: parse_value, JSON-typed equality, uuid, timestamp."""

from __future__ import annotations

from typing import Any

import pytest

from wsbdd.match import parse_value, unescape
from wsbdd.match.values import is_timestamp, is_uuid, json_equal, show, type_hint
from wsbdd.model.errors import FeatureMistake


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ('"hello"', "hello"),
        ("'hello'", "hello"),
        ('  "hello world"  ', "hello world"),
        ('"line\\nbreak \\"quoted\\" \\u00e9"', 'line\nbreak "quoted" é'),
        ("'it\\'s'", "it's"),
        ("'C:\\path'", "C:\\path"),
        ('"5"', "5"),
        ('""', ""),
        ("''", ""),
        ("5", 5),
        ("-3", -3),
        ("2.5", 2.5),
        ("1e3", 1000.0),
        ("true", True),
        ("false", False),
        ("null", None),
        ("[1, 2]", [1, 2]),
        ('{"a": 1}', {"a": 1}),
        ("hello world", "hello world"),
        ("007", "007"),
        ("NaN", "NaN"),
        ("Infinity", "Infinity"),
        ("True", "True"),
        ("", ""),
        ("   ", ""),
        ('"', '"'),
    ],
)
def test_parse_value(text: str, value: Any) -> None:
    parsed = parse_value(text)
    assert parsed == value
    assert type(parsed) is type(value)


def test_broken_json_is_a_feature_mistake() -> None:
    with pytest.raises(FeatureMistake) as raised:
        parse_value('{"a": 1')
    assert str(raised.value) == (
        "The value {\"a\": 1 is not valid JSON (Expecting ',' delimiter); check its brackets, "
        'quotes and commas, e.g. {"name": "alice", "tags": ["a", "b"]}.'
    )


def test_a_quote_left_unescaped_inside_double_quotes_is_a_feature_mistake() -> None:
    with pytest.raises(FeatureMistake) as raised:
        parse_value('"say "hi""')
    assert str(raised.value) == (
        'The value "say "hi"" has a quote inside it; inside double quotes write \\" for a '
        "quote (and \\\\ for a backslash), or use single quotes for text taken as it is."
    )


@pytest.mark.parametrize(
    ("written", "meant"),
    [
        ("a\\nb", "a\nb"),
        ("tab\\there", "tab\there"),
        ('say \\"hi\\"', 'say "hi"'),
        ("one \\\\ backslash", "one \\ backslash"),
        ("caf\\u00e9", "café"),
        ("C:\\path", "C:\\path"),  # an unknown escape stays as written
        ("4\\d", "4\\d"),  # so a regular expression reads as in Python
        ("4\\\\d", "4\\d"),  # ... and doubling the backslash means the same
        ("\\b\\.", "\\b\\."),  # \b is a word boundary, not a backspace
        ("ends in \\", "ends in \\"),
        ("no escapes", "no escapes"),
    ],
)
def test_one_escape_rule_for_double_quoted_text(written: str, meant: str) -> None:
    assert unescape(written) == meant
    assert parse_value(f'"{written}"') == meant


@pytest.mark.parametrize(
    ("a", "b", "equal"),
    [
        (5, 5.0, True),
        (5, "5", False),
        (True, 1, False),
        (1, True, False),
        (False, 0, False),
        (True, True, True),
        (None, None, True),
        (None, "null", False),
        ([1, True], [1, 1], False),
        ([1, 2], [1, 2], True),
        ([1, 2], [2, 1], False),
        ({"a": [1, {"b": None}]}, {"a": [1.0, {"b": None}]}, True),
        ({"a": 1}, {"a": 1, "b": 2}, False),
        ({"a": True}, {"a": 1}, False),
        ("x", "x", True),
    ],
)
def test_json_equal(a: Any, b: Any, equal: bool) -> None:
    assert json_equal(a, b) is equal
    assert json_equal(b, a) is equal


def test_show_is_json_not_python() -> None:
    assert [show(v) for v in (True, False, None, 7, "x", [1, "a"], {"k": None})] == [
        "true",
        "false",
        "null",
        "7",
        '"x"',
        '[1, "a"]',
        '{"k": null}',
    ]


def test_type_hint_only_when_values_look_alike() -> None:
    assert type_hint(2, "2") == ' (a number, not the text "2")'
    assert type_hint("5", 5) == " (a text, not the number 5)"
    assert type_hint("true", True) == " (a text, not the boolean true)"
    assert type_hint("null", None) == " (a text, not null)"
    assert type_hint("Hi", "hello") == ""
    assert type_hint("Hi", 5) == ""


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("3f1c2a9e-8b7d-4c1e-9f00-123456789abc", True),
        ("3F1C2A9E-8B7D-4C1E-9F00-123456789ABC", True),
        ("3f1c2a9e8b7d4c1e9f00123456789abc", False),
        ("3f1c2a9e-8b7d-4c1e-9f00-123456789abcd", False),
        ("not-a-uuid", False),
        (5, False),
        (None, False),
    ],
)
def test_is_uuid(value: Any, ok: bool) -> None:
    assert is_uuid(value) is ok


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("2024-05-01T12:00:00Z", True),
        ("2024-05-01T12:00:00.123+02:00", True),
        ("2024-05-01 12:00", True),
        ("2024-05-01", False),
        ("2024-13-01T12:00:00Z", False),
        ("yesterday", False),
        (1714564800, True),
        (1714564800.5, True),
        (1714564800123, True),
        (5, False),
        (True, False),
        (None, False),
    ],
)
def test_is_timestamp(value: Any, ok: bool) -> None:
    assert is_timestamp(value) is ok
