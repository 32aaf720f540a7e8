"""One condition on a message: a JSONPath, a matcher phrase and maybe a value.

Conditions are what feature writers type after "where"::

    $.content starts with "hello"
    $.n is greater than 3
    $.sent_at is a timestamp
    $.players[?(@.score > 10)].name contains "bo"
    $ is "plain text"

The path runs from the ``$`` to the first space outside brackets, parentheses
and quotes (filters contain spaces); then comes the longest known matcher
phrase; the rest is the value, read by :func:`~wsbdd.match.parse_value`.
``is one of`` also accepts a bare list: ``$.status is one of "ok", "done"``.
"""

from __future__ import annotations

import difflib
import re
from typing import Any

from wsbdd.errors import FeatureMistake

from .paths import JsonPath, compile_path
from .values import parse_value, show
from .words import MATCHER_WORDS, NO_VALUE, ValueMatcher, unknown_matcher, value_matcher

__all__ = ["Condition", "parse_condition"]


class Condition:
    """A compiled path and the matcher its selected values must satisfy."""

    __slots__ = ("path", "matcher", "reads_text", "_find", "_matches", "_whole_selection")

    def __init__(self, path: JsonPath, matcher: ValueMatcher) -> None:
        self.path = path
        self.matcher = matcher
        self._find = path.find
        self._matches = matcher.matches
        # `$.players[*] has length 2` counts the players: the selection is one list.
        self._whole_selection = matcher.measures_length and path.selects_many
        self.reads_text = path.text.strip() == "$" and matcher.compares_text
        """``$ is "40"``: on a frame whose JSON is a bare number, boolean or null, this
        condition is given the frame's text (see :class:`~wsbdd.match.Where`)."""

    def found(self, value: Any) -> list[Any]:
        """What the matcher is given for ``value``: the selected values."""
        found = self._find(value)
        return [found] if self._whole_selection else found

    def test(self, value: Any) -> bool:
        """Whether ``value`` (a message's value) satisfies the condition."""
        found = self._find(value)
        if self._whole_selection:
            found = [found]
        return self._matches(found)

    def describe(self) -> str:
        """``$.content starts with "hello"``."""
        return f"{self.path.text} {self.matcher.describe()}"

    def mismatch(self, value: Any) -> str:
        """``$.content was "Hi"``."""
        return f"{self.path.text} {self.matcher.mismatch(self.found(value))}"

    def __repr__(self) -> str:
        return f"parse_condition({self.describe()!r})"


_OPENERS = {"[": "]", "(": ")", "{": "}"}
_QUOTES = frozenset("'\"`")


def _path_end(text: str) -> int:
    depth = 0
    quote = ""
    index = 0
    while index < len(text):
        char = text[index]
        if quote:
            if char == "\\":
                index += 1
            elif char == quote:
                quote = ""
        elif char in _QUOTES:
            quote = char
        elif char in _OPENERS:
            depth += 1
        elif char in ")]}":
            depth = max(depth - 1, 0)
        elif char.isspace() and depth == 0:
            return index
        index += 1
    return len(text)


def _phrase_pattern(phrase: str) -> str:
    body = r"\s+".join(re.escape(word) for word in phrase.split())
    # A word must end at a word boundary ("is not" is not the start of "is nothing").
    return body + (r"(?![\w])" if phrase[-1].isalnum() else "")


_MATCHER = re.compile(
    "|".join(f"(?:{_phrase_pattern(phrase)})" for phrase in MATCHER_WORDS), re.IGNORECASE
)
_WORDISH = re.compile(r"[A-Za-z!=<>]+")


def _unknown(source: str, rest: str) -> FeatureMistake:
    words: list[str] = []
    for token in rest.split()[:5]:
        if not _WORDISH.fullmatch(token):
            break
        words.append(token)
    if not words:
        return FeatureMistake(
            f'The condition "{source}" has no matcher between the path and the value; '
            'write e.g. $.type is "chat".'
        )
    for count in range(len(words), 0, -1):
        phrase = " ".join(words[:count])
        if difflib.get_close_matches(phrase.lower(), MATCHER_WORDS, n=1):
            return unknown_matcher(phrase)
    return unknown_matcher(words[0])


def parse_condition(text: str) -> Condition:
    """Compile a condition such as ``$.content starts with "hello"``.

    Raises :class:`FeatureMistake` for text not starting with ``$``, an invalid
    path, an unknown matcher, a missing value or a value a matcher does not take.
    """
    source = text.strip()
    if not source.startswith("$"):
        raise FeatureMistake(
            f'The condition "{source}" does not start with a JSONPath; '
            'conditions look like: $.type is "chat".'
        )
    end = _path_end(source)
    path = compile_path(source[:end])
    rest = source[end:].strip()
    if not rest:
        raise FeatureMistake(
            f'The condition "{source}" has no matcher after the path; '
            f'write e.g. {path.text} is "chat" or {path.text} exists.'
        )
    found = _MATCHER.match(rest)
    if found is None:
        raise _unknown(source, rest)
    phrase = " ".join(found.group().split())
    value_text = rest[found.end() :].strip()
    expected: Any = NO_VALUE
    if value_text:
        if phrase.lower() == "is one of" and not value_text.startswith("["):
            value_text = f"[{value_text}]"
        expected = parse_value(value_text)
        if isinstance(expected, str) and value_text[0] not in "\"'":
            _check_misspelt_phrase(phrase, value_text)
    return Condition(path, value_matcher(phrase, expected))


def _check_misspelt_phrase(phrase: str, value_text: str) -> None:
    """``$.n is greather than 3`` must not quietly compare $.n with the text "greather than 3"."""
    words = value_text.split()[:4]
    for count in range(1, len(words) + 1):
        candidate = f"{phrase} {' '.join(words[:count])}"
        close = difflib.get_close_matches(candidate.lower(), MATCHER_WORDS, n=1, cutoff=0.85)
        if close and len(close[0]) > len(phrase):
            raise FeatureMistake(
                f'Unknown matcher "{candidate}"; did you mean "{close[0]}"? To compare '
                f"with the text {show(value_text)}, put it in quotes: {phrase} {show(value_text)}."
            )
