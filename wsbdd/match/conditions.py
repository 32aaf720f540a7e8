"""One condition on a message: a JSONPath, a matcher phrase and maybe a value.

This is the one reader of conditions: ``where()`` in Python, the Gherkin steps
(``receives a message where …``), the ``ignore`` setting, phrases and
``wsbdd check`` all call :func:`parse_conditions`, so they cannot disagree.
Conditions are what feature writers type after "where"::

    $.content starts with "hello"
    $.n is greater than 3
    $.sent_at is a timestamp
    $.players[?(@.score > 10)].name contains "bo"
    $ is "plain text"
    $.status is one of "ok", "done"
    $.type is "chat" and $.n is at least 2

The rules (docs/receiving.md, "The condition grammar"):

* the path runs from the ``$`` to the first space outside brackets, parentheses
  and quotes (filters contain spaces);
* then comes the longest known matcher phrase (any case, any spaces between its
  words); an unknown one is a mistake with "did you mean";
* the rest is the value: ``"text"`` or ``'text'``, a number, ``true``,
  ``false``, ``null``, a JSON list or object, or ``${variable}``.  Text must
  be quoted: ``$.n is bigger than 3`` is a mistake (did you mean ``is greater
  than 3``, or the text ``"bigger than 3"``?), never a silent comparison with
  the text "bigger than 3".  ``is one of`` also takes a bare list
  (``is one of "ok", "done"``);
* `` and `` followed by a ``$`` path, outside quotes and brackets, starts
  another condition; all of them must hold on the same message.  That is the
  only meaning of ``and`` in a condition (inside quotes it is text).
"""

from __future__ import annotations

import difflib
import functools
import json
import re
from collections.abc import Iterator
from typing import Any

from wsbdd.model.errors import FeatureMistake
from wsbdd.model.variables import Variables

from .paths import JsonPath, compile_path
from .values import no_constant, parse_value, quoted_text, show
from .words import MATCHER_WORDS, ValueMatcher, unknown_matcher, value_matcher

__all__ = [
    "Condition",
    "parse_condition",
    "parse_conditions",
    "split_conditions",
    "condition_from_cell",
]


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


# -- where a path ends, where conditions split --------------------------------------------

_SIMPLE_PATH_END = re.compile(r"[^\s\[\]()'\"]*(?=\s|\Z)")
"""A path with no brackets or quotes before its first space: it ends at that space."""

_PATH_MARKS = re.compile(r"""["'()\[\]]|\s""")


def _path_end(text: str) -> int:
    """Index where the JSONPath at the start of ``text`` ends (filters contain spaces)."""
    simple = _SIMPLE_PATH_END.match(text)
    if simple is not None:
        return simple.end()
    depth = 0
    position = 0
    while (mark := _PATH_MARKS.search(text, position)) is not None:
        token = mark.group()
        if token in "'\"":
            closing = text.find(token, mark.end())
            if closing < 0:
                break  # an unclosed quote: unbalanced
            position = closing + 1
            continue
        if token in "[(":
            depth += 1
        elif token in "])":
            depth -= 1
        elif depth <= 0:  # a space outside every bracket ends the path
            return mark.start()
        position = mark.end()
    else:
        if depth <= 0:
            return len(text)
    # Unbalanced: report just the first word as the (broken) path.
    space = re.search(r"\s", text)
    return space.start() if space else len(text)


_CONDITION_MARKS = re.compile(r"""["'()\[\]]| and \$""")
_QUOTED_REST = {quote: re.compile(rf"(?:[^{quote}\\]|\\.)*{quote}", re.DOTALL) for quote in "\"'"}
"""From just after an opening quote to its closing quote (a backslash escapes a character)."""


def split_conditions(text: str) -> list[str]:
    """Split on `` and `` followed by another ``$`` path, outside quotes and brackets.

    The one meaning of ``and`` between conditions: ``$.a is 1 and $.b is 2`` is two
    conditions that must both hold; ``$.a is "x and $.b"`` is one.
    """
    parts: list[str] = []
    depth = 0
    start = position = 0
    while (mark := _CONDITION_MARKS.search(text, position)) is not None:
        token = mark.group()
        if token in "\"'":
            closed = _QUOTED_REST[token].match(text, mark.end())
            if closed is None:
                break  # an unclosed quote runs to the end: no split inside it
            position = closed.end()
            continue
        if token in "([":
            depth += 1
        elif token in ")]":
            depth -= 1
        elif depth <= 0:  # " and $" between two conditions
            parts.append(text[start : mark.start()])
            start = mark.start() + len(" and ")
        position = mark.end() if token in "()[]" or depth > 0 else start
    parts.append(text[start:])
    return [p.strip() for p in parts if p.strip()]


_split_conditions = split_conditions  # the name tests and older callers use


# -- the matcher phrase ---------------------------------------------------------------------


def _phrase_pattern(phrase: str) -> str:
    body = r"\s+".join(re.escape(word) for word in phrase.split())
    # A word must end at a word boundary ("is not" is not the start of "is nothing").
    return body + (r"(?![\w])" if phrase[-1].isalnum() else "")


_MATCHER = re.compile("|".join(f"(?:{_phrase_pattern(phrase)})" for phrase in MATCHER_WORDS))
"""The matcher phrases, longest first (as MATCHER_WORDS is), in any spacing.  It is run
on the lower-cased text (any case is accepted): faster than an IGNORECASE pattern, and
the phrases are ASCII, so the match ends at the same index in the text as written."""
_WORDISH = re.compile(r"[A-Za-z!=<>]+")


def _no_matcher(source: str, rest: str) -> FeatureMistake:
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


def _split_words(rest: str, source: str | None = None) -> tuple[str, str]:
    """``is not "x"`` → ``("is not", '"x"')``: the matcher phrase (lower case, one space
    between words) and the value text; an unknown phrase is a mistake with "did you mean"."""
    found = _MATCHER.match(rest.lower())
    if found is None:
        raise _no_matcher(source if source is not None else rest, rest)
    return " ".join(found.group().lower().split()), rest[found.end() :].strip()


def _condition_parts(text: str) -> tuple[str, str, str]:
    """``$.content starts with "hi"`` → ``("$.content", "starts with", '"hi"')``."""
    source = text.strip()
    if not source.startswith("$"):
        raise FeatureMistake(
            f'The condition "{source}" does not start with a JSONPath; '
            'conditions look like: $.type is "chat".'
        )
    end = _path_end(source)
    rest = source[end:].strip()
    if not rest:
        path = source[:end]
        raise FeatureMistake(
            f'The condition "{source}" has no matcher after the path; '
            f'write e.g. {path} is "chat" or {path} exists.'
        )
    words, value_text = _split_words(rest, source)
    return source[:end], words, value_text


# -- the value ------------------------------------------------------------------------------

_NO_VARIABLES = Variables()
"""Where no scenario is running (``where()`` in Python, ``ignore``): generators such as
``${uuid}`` work, any other ``${name}`` is "not set"."""
_VARIABLE_ONLY = re.compile(r"\$\{([^}]+)\}")


_NOT_MATCHERS = {
    "bigger than": "is greater than",
    "larger than": "is greater than",
    "higher than": "is greater than",
    "more than": "is greater than",
    "above": "is greater than",
    "smaller than": "is less than",
    "lower than": "is less than",
    "fewer than": "is less than",
    "below": "is less than",
    "equal to": "is",
    "equals to": "is",
    "in": "is one of",
    "like": "matches",
    "has": "contains",
    "includes": "contains",
}
"""Words a writer may mean as a matcher after ``is``: suggested, never accepted."""


def _close_matcher(phrase: str, value_text: str, cutoff: float) -> tuple[str, int] | None:
    """The matcher ``phrase`` plus the value's first words probably meant, and how many
    of the value's words it took: ``("is", "greather than 3")`` → ``("is greater than", 2)``."""
    words = value_text.split()[:4]
    best: tuple[float, str, int] | None = None
    for count in range(1, len(words) + 1):
        tail = " ".join(words[:count]).lower()
        guess = _NOT_MATCHERS.get(tail)
        if guess is not None and (phrase == "is" or guess == phrase):
            return guess, count
        candidate = f"{phrase} {tail}"
        for close in difflib.get_close_matches(candidate, MATCHER_WORDS, n=1, cutoff=cutoff):
            score = difflib.SequenceMatcher(None, candidate, close).ratio()
            if len(close) > len(phrase) and (best is None or score > best[0]):
                best = (score, close, count)
    return (best[1], best[2]) if best is not None else None


class _Unquoted(FeatureMistake):
    """Unquoted text where a condition wants a value (a table cell may hold it)."""


def _unquoted(source: str, path_text: str, phrase: str, value_text: str) -> FeatureMistake:
    close = _close_matcher(phrase, value_text, 0.75)
    if close is not None:
        matcher, count = close
        written = f"{phrase} {' '.join(value_text.split()[:count])}"
        return _Unquoted(
            f'Unknown matcher "{written}"; did you mean "{matcher}"? To compare with the '
            f"text {show(value_text)}, put it in quotes: {phrase} {show(value_text)}."
        )
    return _Unquoted(
        f'The condition "{source}" compares with {value_text}, which is not a number, true, '
        f"false, null, JSON or quoted text; put text in quotes: "
        f"{path_text} {phrase} {show(value_text)}."
    )


_CURLY = "\u201c\u201d\u201e\u2018\u2019\u201a\u00ab\u00bb"
"""Typographic quotes a word processor puts in place of the straight ones."""


def _quote_problem(source: str, path_text: str, phrase: str, value_text: str) -> FeatureMistake:
    """A value that opens a quote and does not end with it: never closed, or followed by
    more words (a dangling "and"); both would otherwise compare with the text as typed."""
    quote = value_text[0]
    closed = _QUOTED_REST[quote].match(value_text, 1)
    if closed is None:
        return _Unquoted(
            f'The condition "{source}" opens a quote it never closes; end the text with '
            f"a quote, like: {path_text} {phrase} {value_text}{quote}."
        )
    quoted, rest = value_text[: closed.end()], value_text[closed.end() :].strip()
    if rest in ("and", "or") or rest.startswith(("and ", "or ")):
        return _Unquoted(
            f'The condition "{source}" has "{rest}" after {quoted}, but no condition after '
            f'it; join conditions with "and" and a $ path, e.g. {path_text} {phrase} {quoted} '
            'and $.type is "chat", or remove the last word.'
        )
    return _Unquoted(
        f'The condition "{source}" has {show(rest)} after its quoted value {quoted}; write '
        f"one value in quotes (a quote inside it as \\{quote}): {path_text} {phrase} {quoted}."
    )


def _curly(source: str, path_text: str, phrase: str, value_text: str) -> FeatureMistake:
    straight = value_text.strip(_CURLY)
    return _Unquoted(
        f'The condition "{source}" quotes {straight} with typographic quotes ({value_text[0]}'
        f"{value_text[-1]}), which are read as part of the text; write straight quotes: "
        f'{path_text} {phrase} "{straight}".'
    )


def _read_value(
    source: str, path_text: str, phrase: str, value_text: str, variables: Variables
) -> Any:
    """The value after a matcher phrase, read strictly: text must be quoted."""
    if phrase == "is one of" and not value_text.startswith("["):
        value_text = f"[{value_text}]"  # a bare list: is one of "ok", "done"
    first = value_text[0]
    if first in "\"'" and (len(value_text) < 2 or value_text[-1] != first):
        raise _quote_problem(source, path_text, phrase, value_text)
    if first in _CURLY:
        raise _curly(source, path_text, phrase, value_text)
    if first == '"' and len(value_text) >= 2 and value_text[-1] == '"':
        # Unescape first, then fill in variables: a variable's own backslashes and
        # quotes are kept as they are.
        text = quoted_text(value_text)
        return variables.render_text(text) if "${" in text else text
    if first == "'" and len(value_text) >= 2 and value_text[-1] == "'":
        # Taken as written, variables filled in (a single-quoted text holds JSON's quotes).
        return parse_value(variables.render_text(value_text) if "${" in value_text else value_text)
    if first == "$":
        whole = _VARIABLE_ONLY.fullmatch(value_text)
        if whole is not None:
            return variables.get(whole.group(1))
    rendered = variables.render_json_text(value_text) if "${" in value_text else value_text
    try:
        return json.loads(rendered, parse_constant=no_constant)
    except ValueError:
        pass
    if phrase == "is one of" and " and " in value_text:
        raise FeatureMistake(
            f'The condition "{source}" lists its values with "and"; separate them with '
            f'commas: {path_text} is one of "a", "b", "c".'
        )
    if first in "[{\"'":
        return parse_value(rendered)  # explains the broken JSON or the stray quote
    raise _unquoted(source, path_text, phrase, value_text)


def _build(
    source: str, path: JsonPath, phrase: str, value_text: str, variables: Variables
) -> Condition:
    if not value_text:
        return Condition(path, value_matcher(phrase))
    expected = _read_value(source, path.text, phrase, value_text, variables)
    return Condition(path, value_matcher(phrase, expected))


def _compile(path_text: str, variables: Variables) -> JsonPath:
    return compile_path(variables.render_text(path_text) if "${" in path_text else path_text)


def parse_condition(text: str, variables: Variables | None = None) -> Condition:
    """Compile one condition such as ``$.content starts with "hello ${name}"``.

    ``variables`` fills in ``${…}``; without them only generators (``${uuid}``) are
    known.  Raises :class:`FeatureMistake` for text not starting with ``$``, an
    invalid path, an unknown matcher, a missing value, unquoted text, or a value a
    matcher does not take.
    """
    variables = _NO_VARIABLES if variables is None else variables
    path_text, phrase, value_text = _condition_parts(text)
    return _build(text.strip(), _compile(path_text, variables), phrase, value_text, variables)


def parse_conditions(text: str, variables: Variables | None = None) -> list[Condition]:
    """``$.type is "chat" and $.room is "lobby"`` → the conditions, all of which must hold."""
    if "${" not in text:
        return _fixed_conditions(text)
    return [parse_condition(part, variables) for part in split_conditions(text)]


def condition_from_cell(
    path_text: str, words: str, cell: str, variables: Variables | None = None
) -> Condition:
    """A condition from a table row (``| $.type | is | chat |``): the cell is one value.

    A table cell is delimited, so unquoted text in it is text as written (``chat``,
    ``007``); everything else reads as in a condition.  The matcher cell must be a
    matcher phrase and nothing else, and a matcher word one letter off followed by
    its value (``is`` / ``greather than 3``) is still a mistake.
    """
    variables = _NO_VARIABLES if variables is None else variables
    phrase, extra = _split_words(words) if words else ("", "")
    if not phrase or extra:
        raise unknown_matcher(words)
    path = _compile(path_text, variables)
    if not cell:
        return Condition(path, value_matcher(phrase))
    try:
        return _build(f"{path_text} {phrase} {cell}", path, phrase, cell, variables)
    except _Unquoted:
        if _close_matcher(phrase, cell, 0.85) is not None:
            raise
    return Condition(path, value_matcher(phrase, variables.render_text(cell)))


# -- texts of one shape share their reading -------------------------------------------------

_STRING_LITERAL = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_HOLE = "\ue000"  # a private-use character: no feature writes it
_HOLE_LITERAL = f'"{_HOLE}"'
_Template = tuple[tuple[JsonPath, str, str], ...]


def _fixed_conditions(text: str) -> list[Condition]:
    # Without variables a condition depends on its text alone.  Texts of one shape
    # (other strings in the same places, as in "$.content is "hello 17"") share the
    # reading of that shape; only their strings are parsed.  (A cache of whole texts
    # cost more than it saved: most step texts are new, and the objects it kept
    # made the garbage collector's rounds longer.)
    if "'" not in text and _HOLE not in text:
        template = _template(_STRING_LITERAL.sub(_HOLE_LITERAL, text))
        if template is not None:
            return _filled(template, iter(_STRING_LITERAL.findall(text)))
    return [parse_condition(part) for part in split_conditions(text)]


@functools.lru_cache(maxsize=256)
def _template(shape: str) -> _Template | None:
    """The reading of a condition text whose strings are holes; None when a hole is not
    a whole value (inside a path or a filter), or the shape reads wrong (the full text
    then says why)."""
    try:
        parts = [_condition_parts(part) for part in split_conditions(shape)]
    except FeatureMistake:
        return None
    if any(_HOLE in path_text for path_text, _, _ in parts):
        return None
    return tuple((compile_path(path_text), words, value) for path_text, words, value in parts)


def _filled(template: _Template, literals: Iterator[str]) -> list[Condition]:
    built = []
    for path, words, value_text in template:
        shape = value_text
        while _HOLE_LITERAL in value_text:
            value_text = value_text.replace(_HOLE_LITERAL, next(literals), 1)
        if shape == _HOLE_LITERAL:  # the common case: one quoted text, read directly
            built.append(Condition(path, value_matcher(words, quoted_text(value_text))))
        else:
            source = f"{path.text} {words} {value_text}"
            built.append(_build(source, path, words, value_text, _NO_VARIABLES))
    return built
