"""JSON values as feature writers type them and read them back.

A feature writer types ``"hello"``, ``5``, ``true`` or ``[1, 2]``; a failure
message must show values the same way (``true``, ``null``, ``"x"``), never as
Python reprs.  Comparison is JSON-typed: the number ``5`` and the text ``"5"``
differ, and booleans are not numbers (Python's ``True == 1`` does not leak in).
"""

from __future__ import annotations

import json
import math
import re
from datetime import datetime
from typing import Any

from wsbdd.model.errors import FeatureMistake
from wsbdd.model.failures import LONG, where_they_differ
from wsbdd.model.json_text import plain_error
from wsbdd.model.message import render_value

__all__ = [
    "unescape",
    "quoted_text",
    "parse_value",
    "json_equal",
    "kind_of",
    "show",
    "type_hint",
    "long_difference",
    "is_number",
    "is_uuid",
    "is_timestamp",
]


def no_constant(name: str) -> Any:
    """``json.loads``' ``parse_constant``: NaN and Infinity are no JSON (a writer typing
    them means text), and the reason ends the sentence for a bracketed value."""
    raise ValueError(f"{name} is not a JSON value")


_ESCAPE = re.compile(r"\\(u[0-9a-fA-F]{4}|.)", re.DOTALL)
_ESCAPED = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
_QUOTED_INSIDE = re.compile(r'(?:[^"\\]|\\.)*\\?', re.DOTALL)
"""The inside of a double-quoted text: no quote unless a backslash escapes it."""


def unescape(text: str) -> str:
    r"""The one escape rule for double-quoted text in a feature (step lines and conditions).

    ``\n`` is a newline, ``\t`` a tab, ``\r`` a carriage return, ``\"`` a quote,
    ``\\`` one backslash and ``\u00e9`` the character with that code.  Any other
    backslash stays as written, so a regular expression reads as it would in
    Python: ``"4\d"`` and ``"4\\d"`` are both the pattern ``4\d``.
    """
    if "\\" not in text:
        return text

    def one(match: re.Match[str]) -> str:
        code = match.group(1)
        if len(code) == 5:
            return chr(int(code[1:], 16))
        return _ESCAPED.get(code, match.group())

    return _ESCAPE.sub(one, text)


def quoted_text(text: str) -> str:
    """The text between the double quotes of ``text`` (``"a\\nb"``), unescaped.

    A quote inside must be escaped (``\\"``): an unescaped one is a mistake,
    since it usually means two values were run together.
    """
    inside = text[1:-1]
    if _QUOTED_INSIDE.fullmatch(inside) is None:
        raise FeatureMistake(
            f'The value {text} has a quote inside it; inside double quotes write \\" for '
            "a quote (and \\\\ for a backslash), or use single quotes for text taken as it is."
        )
    return unescape(inside)


def parse_value(text: str) -> Any:
    """Read a value the way a feature writer types it inline or in a table cell.

    ``"hello"`` and ``'hello'`` are text (double quotes take JSON escapes);
    ``5``, ``2.5``, ``true``, ``false``, ``null``, ``[1, 2]`` and ``{"a": 1}``
    are JSON; anything else is the bare text (``hello world``).  Empty is ``""``.
    Double-quoted text follows :func:`unescape` (``\\n``, ``\\t``, ``\\"``, ``\\\\``;
    other backslashes stay); single-quoted text is taken as it is, except ``\\'``
    for a quote.
    Text that starts with ``[`` or ``{`` but is not valid JSON is a mistake, not
    text: silently comparing against a broken object would hide the typo.
    """
    text = text.strip()
    if not text:
        return ""
    first, last = text[0], text[-1]
    if len(text) >= 2 and first == last == '"':
        return quoted_text(text)
    if len(text) >= 2 and first == last == "'":
        return text[1:-1].replace("\\'", "'")
    try:
        return json.loads(text, parse_constant=no_constant)
    except ValueError as error:
        if first in "[{":
            reason = (
                plain_error(error).msg if isinstance(error, json.JSONDecodeError) else str(error)
            )
            raise FeatureMistake(
                f"The value {text} is not valid JSON ({reason}); check its brackets, "
                f'quotes and commas, e.g. {{"name": "alice", "tags": ["a", "b"]}}.'
            ) from None
        return text


def is_number(value: Any) -> bool:
    """A JSON number: int or float, but not a boolean."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def kind_of(value: Any) -> str:
    """The JSON kind of a value with its article: "a number", "a text", "null", …"""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a text"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, bytes | bytearray):
        return "bytes"
    return "an unknown value"


def show(value: Any, limit: int = 120) -> str:
    """Render a value as JSON for a sentence: ``true``, ``null``, ``"x"``, ``[1, 2]``."""
    return render_value(value, limit)


def _the(value: Any) -> str:
    kind = kind_of(value)
    if kind == "null":
        return "null"
    return f"the {kind.split(' ', 1)[1]} {show(value)}"


def type_hint(actual: Any, expected: Any) -> str:
    """`` (a number, not the text "2")`` when two values look alike but differ in kind.

    Empty when the kinds agree or the values do not look alike: the hint is there
    for the classic ``5`` versus ``"5"`` confusion, not to decorate every failure.
    """
    if kind_of(actual) == kind_of(expected):
        return long_difference(actual, expected)
    if show(actual).strip('"') != show(expected).strip('"'):
        return ""
    return f" ({kind_of(actual)}, not {_the(expected)})"


def long_difference(actual: Any, expected: Any) -> str:
    """`` (first difference at character 93: expected …fox…, was …cat…)`` for two values of one
    kind too long to show whole, pytest-style; empty for short or equal ones.

    A sentence cuts a long value after :data:`wsbdd.model.failures.LONG` characters, and two
    long values that differ late would read identically: this says where they part.
    """
    wanted, seen = render_value(expected, _WHOLE), render_value(actual, _WHOLE)
    if max(len(wanted), len(seen)) <= LONG or wanted == seen:
        return ""
    if isinstance(expected, str) and isinstance(actual, str):
        # Positions in the text itself, not in its JSON rendering; escapes as JSON shows them.
        return f" ({where_they_differ(wanted[1:-1], seen[1:-1], quoted=True)})"
    return f" ({where_they_differ(wanted, seen)})"


_WHOLE = 1 << 20
"""No cut: the difference is looked for in the whole rendering."""

_SCALARS = (str, int, float, type(None))


def json_equal(actual: Any, expected: Any) -> bool:
    """Equality as JSON sees it: kinds must agree, ``5 == 5.0``, ``true != 1``."""
    a_type = type(actual)
    if a_type is type(expected) and a_type in _SCALARS:
        return bool(actual == expected)
    a_bool, e_bool = isinstance(actual, bool), isinstance(expected, bool)
    if a_bool or e_bool:
        return a_bool and e_bool and actual == expected
    if is_number(actual) and is_number(expected):
        return bool(actual == expected)
    if isinstance(actual, list | tuple) and isinstance(expected, list | tuple):
        return len(actual) == len(expected) and all(
            json_equal(a, e) for a, e in zip(actual, expected, strict=True)
        )
    if isinstance(actual, dict) and isinstance(expected, dict):
        return actual.keys() == expected.keys() and all(
            json_equal(actual[key], value) for key, value in expected.items()
        )
    if a_type is type(expected):
        return bool(actual == expected)
    return False


_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_ISO_START = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
# Epoch numbers count as timestamps only between 2000 and 2100, in seconds or
# milliseconds; otherwise every small integer would "be a timestamp".
_EPOCH_LOW, _EPOCH_HIGH = 946_684_800, 4_102_444_800


def is_uuid(value: Any) -> bool:
    """Text in the canonical 8-4-4-4-12 hexadecimal UUID form (any version, any case)."""
    return isinstance(value, str) and _UUID.fullmatch(value) is not None


def is_timestamp(value: Any) -> bool:
    """An ISO 8601 date-time text, or epoch seconds/milliseconds between 2000 and 2100."""
    if isinstance(value, str):
        if _ISO_START.match(value) is None:
            return False
        try:
            datetime.fromisoformat(value)
        except ValueError:
            return False
        return True
    if is_number(value) and math.isfinite(value):
        return (_EPOCH_LOW <= value < _EPOCH_HIGH) or (
            _EPOCH_LOW * 1000 <= value < _EPOCH_HIGH * 1000
        )
    return False
