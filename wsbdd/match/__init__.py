"""Matching received messages: JSONPath conditions, word matchers, Karate-style templates.

Pure code, no sockets and no asyncio: everything here works on plain values and
:class:`~wsbdd.model.message.Message` objects, so it is tested without a server.

* :func:`compile_path` compiles a JSONPath once (plain paths take a fast path);
* :func:`value_matcher` names a matcher in words (``starts with``, ``is a uuid``);
* :func:`parse_condition` reads ``$.content starts with "hello"`` and
  :func:`parse_conditions` several joined by `` and $``;
* :mod:`wsbdd.match.grammar` reads the rest of a step's words (durations,
  counts, client lists, values, tables), importing no behave;
* :class:`Where`, :class:`Like`, :class:`TextIs`, :class:`BytesAre` and
  :class:`AnyMessage` are what an inbox waits for.

How a path that selects several values is judged (``$.players[*].name is
"bob"`` passes if any name is "bob"; ``is not`` and the other negations pass
only if none is) is explained in :mod:`wsbdd.match.words`; the template rules
and markers in :mod:`wsbdd.match.template`.
"""

from .conditions import Condition, condition_from_cell, parse_condition, parse_conditions
from .messages import AnyMessage, BytesAre, Like, MessageMatcher, TextIs, Where, where
from .paths import JsonPath, compile_path
from .template import MARKERS
from .values import parse_value, quoted_text, unescape
from .words import KNOWN_MATCHERS, MATCHER_WORDS, NO_VALUE, ValueMatcher, value_matcher

__all__ = [
    "JsonPath",
    "compile_path",
    "MATCHER_WORDS",
    "KNOWN_MATCHERS",
    "MARKERS",
    "NO_VALUE",
    "ValueMatcher",
    "value_matcher",
    "parse_value",
    "quoted_text",
    "unescape",
    "Condition",
    "parse_condition",
    "parse_conditions",
    "condition_from_cell",
    "MessageMatcher",
    "Where",
    "Like",
    "TextIs",
    "BytesAre",
    "AnyMessage",
    "where",
]
