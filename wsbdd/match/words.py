"""Matchers named in words: ``is``, ``starts with``, ``is greater than``, ``exists``, …

A :class:`ValueMatcher` looks at ``found``, the list of values a JSONPath
selected (``[]`` when the path selected nothing), and explains itself in JSON
words (``is "hello"`` / ``was "Hi"``; ``true``, ``null``, ``7``, never Python's
``True``, ``None``, ``<7>``).

When a path selects several values (a wildcard or a filter):

* a positive matcher (``is``, ``contains``, ``is a number``, …) passes if ANY
  selected value passes;
* a negative matcher (``is not``, ``does not contain``, ``does not match``,
  ``is not null``) passes if NONE of the selected values has the property, and
  at least one value was selected: a missing value is reported as missing,
  never silently accepted (write ``does not exist`` to check for absence);
* ``exists`` and ``does not exist`` look at the whole selection;
* ``has length``, ``is empty`` and ``is not empty`` measure a list (items), a
  text (characters) or an object (keys).  :class:`~wsbdd.match.Condition`
  hands them the whole selection as one list when the path *ends* in a
  wildcard, filter or slice, so ``$.players[*] has length 2`` counts players.

Comparison is JSON-typed: ``5`` is not ``"5"`` and ``true`` is not ``1``.
``contains``, ``starts with`` and ``ends with`` look for a number or boolean
as its JSON text inside a text value (``$.code starts with 4``).  ``contains``
on a list looks for an equal item, or an item that partially matches an object
(``$.players contains {"name": "bob"}``, Karate markers allowed); on an object
it checks a key, or a partial match of an object.  ``matches`` takes a Python
regular expression that must match the WHOLE text (a full match), like Karate's
``#regex`` marker and Java's ``String.matches``: ``$.id matches "[a-z]+-\\d+"``
fails on ``"id: ab-12"``.  Write ``matches ".*error.*"`` to search anywhere
(or ``contains`` for plain text); a failure says so when the pattern was found
inside the text.  Why full: a pattern that is too loose then fails loudly,
where a search would let it pass silently.

Each matcher is also a PyHamcrest matcher over ``found``, so engineers can write
``assert_that(path.find(value), value_matcher("is", 5))``.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Sequence
from typing import Any

from hamcrest.core.base_matcher import BaseMatcher
from hamcrest.core.description import Description

from wsbdd.model.errors import FeatureMistake

from .template import compile_template
from .values import is_number, is_timestamp, is_uuid, json_equal, kind_of, show, type_hint

__all__ = [
    "NO_VALUE",
    "MATCHER_WORDS",
    "KNOWN_MATCHERS",
    "ValueMatcher",
    "value_matcher",
    "takes_value",
    "unknown_matcher",
]


class _NoValue:
    __slots__ = ()

    def __repr__(self) -> str:
        return "NO_VALUE"


NO_VALUE: Any = _NoValue()
"""The expected value of a matcher that takes none (``exists``, ``is a number``)."""

# How the values a path selected are judged: any passes, none may pass, or all at once.
_ANY, _NONE, _WHOLE = 0, 1, 2


class ValueMatcher(BaseMatcher[Sequence[Any]]):
    """One word-matcher bound to its expected value; judges the values a path selected."""

    def __init__(
        self,
        word: str,
        expected: Any,
        test: Callable[[Any], bool],
        mode: int,
        note: Callable[[Any], str] | None = None,
        explain: Callable[[Sequence[Any]], str] | None = None,
        measures_length: bool = False,
    ) -> None:
        self.word = word
        self.expected = expected
        self.measures_length = measures_length
        self._test = test
        self._mode = mode
        self._note = note
        self._explain = explain

    def matches(
        self, found: Sequence[Any], mismatch_description: Description | None = None
    ) -> bool:
        """Whether the selected values satisfy the matcher (see the module rules)."""
        test = self._test
        mode = self._mode
        if mode == _ANY:
            ok = False
            for value in found:
                if test(value):
                    ok = True
                    break
        elif mode == _NONE:
            ok = bool(found)
            for value in found:
                if test(value):
                    ok = False
                    break
        else:
            ok = test(found)
        if not ok and mismatch_description is not None:
            mismatch_description.append_text(self.mismatch(found))
        return ok

    @property
    def compares_text(self) -> bool:
        """Whether this matcher compares text: ``starts with``, ``matches``, or ``is`` /
        ``contains`` / ``is one of`` with text.  On a text frame such as ``40`` (JSON's
        number 40) such a matcher reads the frame's text, not the number."""
        if self.word in _TEXT_WORDS:
            return True
        if self.word in _TEXT_WHEN_TEXT:
            return isinstance(self.expected, str)
        if self.word == "is one of":
            return bool(self.expected) and all(isinstance(o, str) for o in self.expected)
        return False

    def describe(self) -> str:
        """What is expected: ``is "hello"``, ``is greater than 3``, ``exists``."""
        if self.expected is NO_VALUE:
            return self.word
        return f"{self.word} {show(self.expected)}"

    def mismatch(self, found: Sequence[Any]) -> str:
        """What was seen instead: ``was "Hi"``, ``was missing``, ``was 2 (a number, …)``."""
        if self._explain is not None:
            return self._explain(found)
        if not found:
            return "was missing"
        if self._mode == _NONE:
            found = [value for value in found if self._test(value)] or found
        return _seen(found, self._note)

    def describe_to(self, description: Description) -> None:
        description.append_text(self.describe())

    def describe_mismatch(self, item: Sequence[Any], mismatch_description: Description) -> None:
        mismatch_description.append_text(self.mismatch(item))

    def __repr__(self) -> str:
        if self.expected is NO_VALUE:
            return f"value_matcher({self.word!r})"
        return f"value_matcher({self.word!r}, {self.expected!r})"


_TEXT_WORDS = frozenset({"starts with", "ends with", "matches", "does not match"})
_TEXT_WHEN_TEXT = frozenset({"is", "is not", "contains", "does not contain"})


def _seen(found: Sequence[Any], note: Callable[[Any], str] | None, limit: int = 4) -> str:
    shown = [show(value, 80) + (note(value) if note else "") for value in found[:limit]]
    if len(found) > limit:
        shown.append(f"{len(found) - limit} more")
    if len(shown) == 1:
        return f"was {shown[0]}"
    return f"were {', '.join(shown[:-1])} and {shown[-1]}"


# -- notes: what to add after a shown value so the reader sees why it failed --


def _equality_note(expected: Any) -> Callable[[Any], str]:
    return lambda value: type_hint(value, expected)


_CASE_NOTE = " (only the capitalisation differs)"


def _with_case_note(
    note: Callable[[Any], str], expected: Any, folded: Callable[[str, str], bool]
) -> Callable[[Any], str]:
    """Add a hint when the text would match ignoring case (``"Rate limit"`` vs ``"rate limit"``)."""
    if not isinstance(expected, str):
        return note
    wanted = expected.casefold()

    def case_note(value: Any) -> str:
        if isinstance(value, str) and folded(value.casefold(), wanted):
            return _CASE_NOTE
        return note(value)

    return case_note


def _one_of_note(options: list[Any]) -> Callable[[Any], str]:
    def note(value: Any) -> str:
        for option in options:
            hint = type_hint(value, option)
            if hint:
                return hint
        return ""

    return note


def _kind_note(wanted: Callable[[Any], bool], noun: str) -> Callable[[Any], str]:
    def note(value: Any) -> str:
        if value is None or wanted(value):
            return ""
        return f" ({kind_of(value)}{noun})"

    return note


def _is_text(value: Any) -> bool:
    return isinstance(value, str)


_not_text = _kind_note(_is_text, ", not text")
_not_number = _kind_note(is_number, ", not a number")
_kind = _kind_note(lambda value: False, "")
_container_kind = _kind_note(lambda value: isinstance(value, str | list | dict), "")
_text_kind = _kind_note(_is_text, "")
_time_kind = _kind_note(lambda value: isinstance(value, str) or is_number(value), "")


def _length_of(value: Any) -> int | None:
    if isinstance(value, list | str | dict):
        return len(value)
    return None


def _length_words(value: Any) -> str:
    if isinstance(value, list):
        count = len(value)
        return f"has {count} item" if count == 1 else f"has {count} items"
    if isinstance(value, dict):
        count = len(value)
        return f"has {count} key" if count == 1 else f"has {count} keys"
    if isinstance(value, str):
        count = len(value)
        unit = "character" if count == 1 else "characters"
        return f"was {show(value, 80)} ({count} {unit})"
    if value is None:
        return "was null"
    return f"was {show(value, 80)} ({kind_of(value)}, which has no length)"


def _explain_length(found: Sequence[Any]) -> str:
    if not found:
        return "was missing"
    return " and ".join(_length_words(value) for value in found[:4])


# -- per-value tests --


def _text_of(word: str, expected: Any) -> str:
    if isinstance(expected, str):
        return expected
    if is_number(expected) or isinstance(expected, bool):
        return show(expected)
    raise FeatureMistake(
        f'The matcher "{word}" needs text, not {show(expected, 60)}; write e.g. {_example(word)}.'
    )


def _contains(expected: Any) -> Callable[[Any], bool]:
    text = show(expected) if is_number(expected) or isinstance(expected, bool) else expected
    if isinstance(expected, dict):
        template = compile_template(expected)

        def contains(value: Any) -> bool:
            if isinstance(value, list):
                return any(template.matches(item) for item in value)
            return isinstance(value, dict) and template.matches(value)

        return contains

    def contains_item(value: Any) -> bool:
        if isinstance(value, str):
            return isinstance(text, str) and text in value
        if isinstance(value, list):
            return any(json_equal(item, expected) for item in value)
        if isinstance(value, dict):
            return isinstance(expected, str) and expected in value
        return False

    return contains_item


def _number(word: str, expected: Any) -> float:
    if not is_number(expected):
        raise FeatureMistake(
            f'The matcher "{word}" needs a number, not {show(expected, 60)}; '
            f"write e.g. {_example(word)}."
        )
    return expected  # type: ignore[no-any-return]


def _regex(word: str, expected: Any) -> re.Pattern[str]:
    pattern = _text_of(word, expected)
    try:
        return re.compile(pattern)
    except re.error as error:
        raise FeatureMistake(
            f"The regular expression {show(pattern)} is not valid ({error}); "
            f"fix it, e.g. {_example(word)}."
        ) from None


def _is_bool(value: Any) -> bool:
    return isinstance(value, bool)


def _is_list(value: Any) -> bool:
    return isinstance(value, list)


def _is_object(value: Any) -> bool:
    return isinstance(value, dict)


def _is_null(value: Any) -> bool:
    return value is None


def _is_empty(value: Any) -> bool:
    return isinstance(value, list | str | dict) and not value


def _is_not_empty(value: Any) -> bool:
    return isinstance(value, list | str | dict) and bool(value)


# -- the vocabulary --

_Builder = Callable[[str, Any], ValueMatcher]


def _build_is(word: str, expected: Any) -> ValueMatcher:
    note = _with_case_note(_equality_note(expected), expected, str.__eq__)
    return ValueMatcher(word, expected, lambda value: json_equal(value, expected), _ANY, note)


def _build_is_not(word: str, expected: Any) -> ValueMatcher:
    return ValueMatcher(word, expected, lambda value: json_equal(value, expected), _NONE)


def _build_contains(word: str, expected: Any) -> ValueMatcher:
    if isinstance(expected, dict):
        compile_template(expected)  # reject a bad marker now, not on the first message
    note = _with_case_note(_container_kind, expected, lambda value, text: text in value)
    return ValueMatcher(word, expected, _contains(expected), _ANY, note)


def _build_not_contains(word: str, expected: Any) -> ValueMatcher:
    return ValueMatcher(word, expected, _contains(expected), _NONE)


def _build_starts(word: str, expected: Any) -> ValueMatcher:
    text = _text_of(word, expected)
    return ValueMatcher(
        word,
        expected,
        lambda value: isinstance(value, str) and value.startswith(text),
        _ANY,
        _with_case_note(_not_text, text, str.startswith),
    )


def _build_ends(word: str, expected: Any) -> ValueMatcher:
    text = _text_of(word, expected)
    return ValueMatcher(
        word,
        expected,
        lambda value: isinstance(value, str) and value.endswith(text),
        _ANY,
        _with_case_note(_not_text, text, str.endswith),
    )


def _whole_text_note(regex: re.Pattern[str]) -> Callable[[Any], str]:
    """Say so when the pattern is found inside the text: ``matches`` wants all of it."""

    def note(value: Any) -> str:
        if isinstance(value, str) and regex.search(value) is not None:
            return (
                f" (the pattern is found inside, but matches needs the whole text; "
                f"write {show('.*' + regex.pattern + '.*')} to find it anywhere)"
            )
        return _not_text(value)

    return note


def _build_matches(word: str, expected: Any) -> ValueMatcher:
    regex = _regex(word, expected)
    return ValueMatcher(
        word,
        expected,
        lambda value: isinstance(value, str) and regex.fullmatch(value) is not None,
        _ANY,
        _whole_text_note(regex),
    )


def _build_not_matches(word: str, expected: Any) -> ValueMatcher:
    regex = _regex(word, expected)
    return ValueMatcher(
        word,
        expected,
        lambda value: isinstance(value, str) and regex.fullmatch(value) is not None,
        _NONE,
    )


def _comparison(check: Callable[[Any, float], bool]) -> _Builder:
    def build(word: str, expected: Any) -> ValueMatcher:
        limit = _number(word, expected)
        return ValueMatcher(
            word,
            expected,
            lambda value: is_number(value) and check(value, limit),
            _ANY,
            _not_number,
        )

    return build


def _build_one_of(word: str, expected: Any) -> ValueMatcher:
    if not isinstance(expected, list):
        raise FeatureMistake(
            f'The matcher "{word}" needs a list of values, not {show(expected, 60)}; '
            f"write e.g. {_example(word)}."
        )
    options = list(expected)
    return ValueMatcher(
        word,
        expected,
        lambda value: any(json_equal(value, option) for option in options),
        _ANY,
        _one_of_note(options),
    )


def _build_length(word: str, expected: Any) -> ValueMatcher:
    if not isinstance(expected, int) or isinstance(expected, bool) or expected < 0:
        raise FeatureMistake(
            f'The matcher "{word}" needs a whole number, not {show(expected, 60)}; '
            f"write e.g. {_example(word)}."
        )

    def test(found: Sequence[Any]) -> bool:
        return any(_length_of(value) == expected for value in found)

    return ValueMatcher(word, expected, test, _WHOLE, explain=_explain_length, measures_length=True)


def _valueless(
    test: Callable[[Any], bool],
    mode: int = _ANY,
    note: Callable[[Any], str] | None = None,
    measures_length: bool = False,
) -> _Builder:
    def build(word: str, expected: Any) -> ValueMatcher:
        return ValueMatcher(word, NO_VALUE, test, mode, note, measures_length=measures_length)

    return build


def _exists(found: Sequence[Any]) -> bool:
    return bool(found)


def _does_not_exist(found: Sequence[Any]) -> bool:
    return not found


def _explain_absent(found: Sequence[Any]) -> str:
    return _seen(found, None)


def _build_does_not_exist(word: str, expected: Any) -> ValueMatcher:
    return ValueMatcher(word, NO_VALUE, _does_not_exist, _WHOLE, explain=_explain_absent)


def _build_exists(word: str, expected: Any) -> ValueMatcher:
    return ValueMatcher(word, NO_VALUE, _exists, _WHOLE)


def _literal(constant: bool) -> _Builder:
    def build(word: str, expected: Any) -> ValueMatcher:
        return ValueMatcher(
            word, NO_VALUE, lambda value: value is constant, _ANY, _equality_note(constant)
        )

    return build


# canonical word -> (builder, takes a value, example for error messages)
_VOCABULARY: dict[str, tuple[_Builder, bool, str]] = {
    "is": (_build_is, True, '$.type is "chat"'),
    "is not": (_build_is_not, True, '$.type is not "error"'),
    "contains": (_build_contains, True, '$.content contains "hello"'),
    "does not contain": (_build_not_contains, True, '$.content does not contain "error"'),
    "starts with": (_build_starts, True, '$.content starts with "hello"'),
    "ends with": (_build_ends, True, '$.content ends with "!"'),
    "matches": (_build_matches, True, '$.id matches "[a-z]+-[0-9]+"'),
    "does not match": (_build_not_matches, True, '$.id does not match "tmp-.*"'),
    "is greater than": (_comparison(lambda v, n: v > n), True, "$.score is greater than 3"),
    "is less than": (_comparison(lambda v, n: v < n), True, "$.score is less than 10"),
    "is at least": (_comparison(lambda v, n: v >= n), True, "$.score is at least 3"),
    "is at most": (_comparison(lambda v, n: v <= n), True, "$.score is at most 10"),
    "is one of": (_build_one_of, True, '$.status is one of ["ok", "done"]'),
    "has length": (_build_length, True, "$.items has length 3"),
    "is a number": (_valueless(is_number, note=_kind), False, "$.score is a number"),
    "is a string": (_valueless(_is_text, note=_kind), False, "$.name is a string"),
    "is a boolean": (_valueless(_is_bool, note=_kind), False, "$.online is a boolean"),
    "is a list": (_valueless(_is_list, note=_kind), False, "$.items is a list"),
    "is an object": (_valueless(_is_object, note=_kind), False, "$.user is an object"),
    "is a uuid": (_valueless(is_uuid, note=_text_kind), False, "$.id is a uuid"),
    "is a timestamp": (
        _valueless(is_timestamp, note=_time_kind),
        False,
        "$.sent_at is a timestamp",
    ),
    "is null": (_valueless(_is_null), False, "$.error is null"),
    "is not null": (_valueless(_is_null, _NONE), False, "$.id is not null"),
    "is true": (_literal(True), False, "$.online is true"),
    "is false": (_literal(False), False, "$.online is false"),
    "exists": (_build_exists, False, "$.id exists"),
    "does not exist": (_build_does_not_exist, False, "$.error does not exist"),
    "is empty": (_valueless(_is_empty, measures_length=True), False, "$.items is empty"),
    "is not empty": (
        _valueless(_is_not_empty, measures_length=True),
        False,
        "$.items is not empty",
    ),
}

_ALIASES: dict[str, str] = {
    "equals": "is",
    "is equal to": "is",
    "=": "is",
    "==": "is",
    "does not equal": "is not",
    "is not equal to": "is not",
    "!=": "is not",
    "is more than": "is greater than",
    ">": "is greater than",
    "<": "is less than",
    "is greater than or equal to": "is at least",
    ">=": "is at least",
    "is less than or equal to": "is at most",
    "<=": "is at most",
    "is a text": "is a string",
    "is an array": "is a list",
}

KNOWN_MATCHERS: tuple[str, ...] = tuple(_VOCABULARY)
"""The canonical matcher words, in the order the documentation lists them."""

MATCHER_WORDS: tuple[str, ...] = tuple(
    sorted([*_VOCABULARY, *_ALIASES], key=lambda word: (-len(word), word))
)
"""Every matcher phrase including aliases, longest first, for parsing step text."""


def _example(word: str) -> str:
    return _VOCABULARY[_ALIASES.get(word, word)][2]


def takes_value(words: str) -> bool:
    """Whether a (known) matcher phrase needs a value after it."""
    return _VOCABULARY[_ALIASES.get(words, words)][1]


def unknown_matcher(words: str) -> FeatureMistake:
    """The mistake for an unknown matcher phrase, with the closest known one."""
    close = difflib.get_close_matches(words.lower(), MATCHER_WORDS, n=1)
    guess = "known"
    if close:
        alias = _ALIASES.get(close[0])  # an alias is not in the list below: name its word
        same = f' (the same as "{alias}")' if alias else ""
        guess = f'did you mean "{close[0]}"{same}? Known'
    return FeatureMistake(
        f'Unknown matcher "{words}"; {guess} matchers: {", ".join(KNOWN_MATCHERS)}.'
    )


def value_matcher(words: str, expected: Any = NO_VALUE) -> ValueMatcher:
    """Build the matcher named by ``words`` (``"starts with"``) for ``expected``.

    Raises :class:`FeatureMistake` for an unknown phrase, a missing value, a value
    given to a matcher that takes none, or a value of the wrong kind.
    """
    phrase = " ".join(words.lower().split())
    word = _ALIASES.get(phrase, phrase)
    entry = _VOCABULARY.get(word)
    if entry is None:
        raise unknown_matcher(" ".join(words.split()))
    build, needs_value, example = entry
    if needs_value and expected is NO_VALUE:
        raise FeatureMistake(f'The matcher "{phrase}" needs a value after it, e.g. {example}.')
    if not needs_value and expected is not NO_VALUE:
        raise FeatureMistake(
            f'The matcher "{phrase}" takes no value, but was given {show(expected, 60)}; '
            f"remove the value, e.g. {example}."
        )
    return build(word, expected)
