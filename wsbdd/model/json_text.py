"""JSON text read the same way on every Python wsbdd supports (3.11 and later).

Python's ``json`` changed under wsbdd's feet in two places a user sees:

- **Depth.** 3.11 and 3.12 give up on text nested about a thousand levels deep
  (``RecursionError``); 3.13 reads any depth, and what wsbdd then does with the value
  (matching it, drawing it indented in a report) walks it level by level.
  :func:`read_json` refuses more than :data:`DEEPEST` levels on every Python, with a
  ``ValueError`` like any other text that is no JSON.
- **Words.** A comma before a closing bracket (``{"a": 1,}``) is "Expecting property name
  enclosed in double quotes" at the bracket on 3.11 and 3.12, and "Illegal trailing
  comma before end of object" at the comma on 3.13. :func:`plain_error` gives 3.13's
  words and place on every Python: a feature writer's mistake reads the same in CI and on
  a laptop.
"""

from __future__ import annotations

import json
import re
from typing import Any

__all__ = ["DEEPEST", "read_json", "opens_deeper_than", "plain_error"]

DEEPEST = 500
"""The most levels of arrays and objects wsbdd reads as JSON; deeper text stays text."""

_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"?', re.DOTALL)  # a string, or an unclosed last one
_LEVELS = {"[": 1, "{": 1, "]": -1, "}": -1}
_AT_THE_BRACKET = ("Expecting property name enclosed in double quotes", "Expecting value")


def opens_deeper_than(text: str, limit: int) -> bool:
    """Whether JSON text's brackets, outside its strings, open more than ``limit`` levels at
    some point (the text need not parse)."""
    # The common cases, with nothing to scan: text too short to open that many levels (a
    # received message, read once when a step matches it), or with too few brackets.
    if len(text) <= limit or text.count("[") + text.count("{") <= limit:
        return False
    depth = 0
    for step in map(_LEVELS.get, _STRINGS.sub("", text)):
        if step is not None:
            depth += step
            if depth > limit:
                return True
    return False


def read_json(text: str | bytes, **options: Any) -> Any:
    """``json.loads(text, **options)``, except that text opening more than :data:`DEEPEST`
    levels raises ``ValueError`` on every Python."""
    if len(text) > DEEPEST:  # shorter text cannot open that many (most messages)
        if not isinstance(text, str):
            text = text.decode("utf-8")  # as json.loads would; an error is a ValueError too
        if opens_deeper_than(text, DEEPEST):
            raise ValueError(f"JSON nested more than {DEEPEST} levels deep")
    return json.loads(text, **options)


def plain_error(error: json.JSONDecodeError) -> json.JSONDecodeError:
    """``error`` in the words Python 3.13 gives, on every Python (see the module)."""
    doc, pos = error.doc, error.pos
    if error.msg in _AT_THE_BRACKET and pos < len(doc) and doc[pos] in "}]":
        before = doc[:pos].rstrip()
        if before.endswith(","):
            kind = "object" if doc[pos] == "}" else "array"
            return json.JSONDecodeError(
                f"Illegal trailing comma before end of {kind}", doc, len(before) - 1
            )
    return error
