"""Word matchers: every phrase passes and fails, and says so in JSON words."""

from __future__ import annotations

from typing import Any

import pytest
from hamcrest import assert_that

from wsbdd.match import KNOWN_MATCHERS, MATCHER_WORDS, NO_VALUE, value_matcher
from wsbdd.model.errors import FeatureMistake

UUID = "3f1c2a9e-8b7d-4c1e-9f00-123456789abc"
_ = NO_VALUE

# (words, expected, a selection that passes, a selection that fails)
CASES: list[tuple[str, Any, list[Any], list[Any]]] = [
    ("is", "hello", ["hello"], ["Hello"]),
    ("is", 5, [5.0], ["5"]),
    ("is", 1, [1], [True]),
    ("is", True, [True], [1]),
    ("is", None, [None], [[]]),
    ("is", [1, 2], [[1, 2]], [[1, True]]),
    ("is", {"a": 1}, [{"a": 1}], [{"a": 1, "b": 2}]),
    ("equals", "x", ["x"], ["y"]),
    ("is equal to", "x", ["x"], ["y"]),
    ("=", 3, [3], [4]),
    ("is not", "alice", ["bob"], ["alice"]),
    ("is not", 5, ["5"], [5]),
    ("!=", 5, [6], [5]),
    ("contains", "ell", ["hello"], ["help"]),
    ("contains", 4, ["room 42"], ["room 7"]),
    ("contains", "b", [["a", "b"]], [["a", "c"]]),
    ("contains", 2, [[1, 2]], [["2"]]),
    ("contains", {"name": "bob"}, [[{"name": "bob", "age": 3}]], [[{"name": "al"}]]),
    ("contains", {"name": "#string"}, [{"name": "x", "id": 1}], [{"id": 1}]),
    ("contains", "id", [{"id": 1}], [{"ID": 1}]),
    ("does not contain", "error", ["all fine"], ["an error"]),
    ("does not contain", "b", [["a"]], [["a", "b"]]),
    ("starts with", "hello", ["hello world"], ["Hi hello"]),
    ("starts with", 4, ["404"], [404]),
    ("ends with", "!", ["hi!"], ["hi"]),
    ("matches", "[a-z]+-\\d+", ["abc-12"], ["abc-12x"]),
    ("matches", ".*error.*", ["an error here"], ["fine"]),
    ("does not match", "tmp-.*", ["job-1"], ["tmp-1"]),
    ("is greater than", 3, [3.5], [3]),
    ("is greater than", 0, [1], [True]),
    ("is greater than", 3, [4], ["4"]),
    (">", 3, [4], [2]),
    ("is less than", 3, [2], [3]),
    ("<", 3, [2], [3]),
    ("is at least", 3, [3], [2.9]),
    (">=", 3, [3], [2]),
    ("is at most", 3, [3], [3.1]),
    ("<=", 3, [3], [4]),
    ("is one of", ["a", "b"], ["b"], ["c"]),
    ("is one of", [1, 2], [2], ["2"]),
    ("has length", 3, [[1, 2, 3]], [[1, 2]]),
    ("has length", 2, ["ab"], ["abc"]),
    ("has length", 1, [{"k": 1}], [5]),
    ("is a number", _, [2.5], [True]),
    ("is a number", _, [0], ["0"]),
    ("is a string", _, [""], [5]),
    ("is a text", _, ["x"], [None]),
    ("is a boolean", _, [False], [0]),
    ("is a list", _, [[]], [{}]),
    ("is an array", _, [[1]], ["[1]"]),
    ("is an object", _, [{}], [[]]),
    ("is a uuid", _, [UUID], ["abc"]),
    ("is a timestamp", _, ["2024-05-01T12:00:00Z"], ["soon"]),
    ("is a timestamp", _, [1714564800000], [42]),
    ("is null", _, [None], [0]),
    ("is not null", _, [0], [None]),
    ("is not null", _, [""], []),
    ("is true", _, [True], [1]),
    ("is false", _, [False], [None]),
    ("exists", _, [None], []),
    ("does not exist", _, [], [None]),
    ("is empty", _, [""], ["x"]),
    ("is empty", _, [[]], [None]),
    ("is empty", _, [{}], []),
    ("is not empty", _, [[0]], [[]]),
    ("is not empty", _, ["x"], [5]),
]


@pytest.mark.parametrize(("words", "expected", "good", "bad"), CASES)
def test_every_matcher_passes_and_fails(words: str, expected: Any, good: list, bad: list) -> None:
    matcher = value_matcher(words, expected)
    assert matcher.matches(good) is True
    assert matcher.matches(bad) is False


def test_every_canonical_matcher_has_a_case() -> None:
    from wsbdd.match.words import _ALIASES

    covered = {_ALIASES.get(words, words) for words, *_ in CASES}
    assert covered == set(KNOWN_MATCHERS)


def test_matcher_words_are_longest_first_and_include_aliases() -> None:
    assert list(MATCHER_WORDS) == sorted(MATCHER_WORDS, key=lambda w: (-len(w), w))
    assert {"is", "equals", "is greater than or equal to", ">="} <= set(MATCHER_WORDS)
    assert MATCHER_WORDS.index("is not null") < MATCHER_WORDS.index("is not")


def test_missing_values_fail_except_for_absence_checks() -> None:
    for words, expected, *_ in CASES:
        matcher = value_matcher(words, expected)
        absent_ok = words == "does not exist"
        assert matcher.matches([]) is absent_ok, words


def test_several_selected_values() -> None:
    # Positive matchers: any selected value; negations: none of them.
    assert value_matcher("is", "bob").matches(["alice", "bob"])
    assert not value_matcher("is not", "bob").matches(["alice", "bob"])
    assert value_matcher("is not", "carol").matches(["alice", "bob"])
    assert not value_matcher("is not null").matches([1, None])
    assert value_matcher("does not exist").matches([])
    assert value_matcher("exists").matches([None, None])


# -- wording: these sentences are what a tester reads --


@pytest.mark.parametrize(
    ("words", "expected", "description"),
    [
        ("is", "hello", 'is "hello"'),
        ("equals", True, "is true"),
        ("is", None, "is null"),
        ("starts with", "hello", 'starts with "hello"'),
        ("is greater than", 3, "is greater than 3"),
        (">=", 2.5, "is at least 2.5"),
        ("is one of", ["a", 1], 'is one of ["a", 1]'),
        ("has length", 3, "has length 3"),
        ("exists", _, "exists"),
        ("is a timestamp", _, "is a timestamp"),
        ("IS  NOT   null", _, "is not null"),
    ],
)
def test_describe(words: str, expected: Any, description: str) -> None:
    assert value_matcher(words, expected).describe() == description


@pytest.mark.parametrize(
    ("words", "expected", "found", "mismatch"),
    [
        ("is", "hello", ["Hi"], 'was "Hi"'),
        ("is", "hello", [], "was missing"),
        ("is", "2", [2], 'was 2 (a number, not the text "2")'),
        ("is", 5, ["5"], 'was "5" (a text, not the number 5)'),
        ("is", True, ["true"], 'was "true" (a text, not the boolean true)'),
        ("is true", _, ["true"], 'was "true" (a text, not the boolean true)'),
        ("is", None, [False], "was false"),
        ("is", "bob", ["alice", "carol"], 'were "alice" and "carol"'),
        ("is", 1, [2, 3, 4, 5, 6, 7], "were 2, 3, 4, 5 and 2 more"),
        ("is not", "bob", ["alice", "bob"], 'was "bob"'),
        ("starts with", "hello", ["Hi"], 'was "Hi"'),
        ("starts with", "hello", [5], "was 5 (a number, not text)"),
        ("contains", "x", [5], "was 5 (a number)"),
        ("contains", "x", [["a"]], 'was ["a"]'),
        ("is greater than", 3, [2], "was 2"),
        ("is greater than", 3, ["4"], 'was "4" (a text, not a number)'),
        ("is one of", [1, 2], ["2"], 'was "2" (a text, not the number 2)'),
        ("is a string", _, [5], "was 5 (a number)"),
        ("is a number", _, [None], "was null"),
        ("is a uuid", _, ["abc"], 'was "abc"'),
        ("is a uuid", _, [7], "was 7 (a number)"),
        ("is null", _, [{"a": True}], 'was {"a": true}'),
        ("is not null", _, [None], "was null"),
        ("exists", _, [], "was missing"),
        ("does not exist", _, ["x"], 'was "x"'),
        ("has length", 3, [["a", "b"]], "has 2 items"),
        ("has length", 3, [[]], "has 0 items"),
        ("has length", 3, [{"k": 1}], "has 1 key"),
        ("has length", 3, ["ab"], 'was "ab" (2 characters)'),
        ("has length", 3, [5], "was 5 (a number, which has no length)"),
        ("has length", 3, [], "was missing"),
        ("is empty", _, [[1, 2]], "was [1, 2]"),
    ],
)
def test_mismatch(words: str, expected: Any, found: list, mismatch: str) -> None:
    matcher = value_matcher(words, expected)
    assert not matcher.matches(found)
    assert matcher.mismatch(found) == mismatch


def test_a_hamcrest_matcher_too() -> None:
    assert_that(["hello"], value_matcher("starts with", "he"))
    with pytest.raises(AssertionError) as raised:
        assert_that(["Hi"], value_matcher("is", "hello"), "greeting")
    assert str(raised.value) == 'greeting\nExpected: is "hello"\n     but: was "Hi"\n'


# -- feature-writer mistakes --

KNOWN = (
    "is, is not, contains, does not contain, starts with, ends with, matches, does not match, "
    "is greater than, is less than, is at least, is at most, is one of, has length, "
    "is a number, is a string, is a boolean, is a list, is an object, is a uuid, "
    "is a timestamp, is null, is not null, is true, is false, exists, does not exist, "
    "is empty, is not empty"
)


@pytest.mark.parametrize(
    ("words", "expected", "sentence"),
    [
        (
            "equalz",
            "x",
            'Unknown matcher "equalz"; did you mean "equals" (the same as "is")? '
            f"Known matchers: {KNOWN}.",
        ),
        ("frobnicates", "x", f'Unknown matcher "frobnicates"; known matchers: {KNOWN}.'),
        ("is", _, 'The matcher "is" needs a value after it, e.g. $.type is "chat".'),
        (
            "has length",
            _,
            'The matcher "has length" needs a value after it, e.g. $.items has length 3.',
        ),
        (
            "exists",
            5,
            'The matcher "exists" takes no value, but was given 5; '
            "remove the value, e.g. $.id exists.",
        ),
        (
            "is a number",
            "x",
            'The matcher "is a number" takes no value, but was given "x"; '
            "remove the value, e.g. $.score is a number.",
        ),
        (
            "is greater than",
            "x",
            'The matcher "is greater than" needs a number, not "x"; '
            "write e.g. $.score is greater than 3.",
        ),
        (
            "is at most",
            True,
            'The matcher "is at most" needs a number, not true; write e.g. $.score is at most 10.',
        ),
        (
            "is one of",
            "a",
            'The matcher "is one of" needs a list of values, not "a"; '
            'write e.g. $.status is one of ["ok", "done"].',
        ),
        (
            "has length",
            -1,
            'The matcher "has length" needs a whole number, not -1; '
            "write e.g. $.items has length 3.",
        ),
        (
            "starts with",
            [1],
            'The matcher "starts with" needs text, not [1]; '
            'write e.g. $.content starts with "hello".',
        ),
        (
            "matches",
            "(",
            'The regular expression "(" is not valid (missing ), unterminated '
            'subpattern at position 0); fix it, e.g. $.id matches "[a-z]+-[0-9]+".',
        ),
        (
            "contains",
            {"a": "#strin"},
            'Unknown marker "#strin" in the JSON template; did you '
            'mean "#string"? Known markers: #ignore, #present, '
            "#notpresent, #null, #notnull, #string, #number, #boolean, "
            "#array, #object, #uuid, #timestamp, #regex <pattern>, "
            "#[n], #[], ##string (to compare with text that starts "
            'with #, use a condition such as $.tag is "#strin").',
        ),
    ],
)
def test_mistakes_are_one_sentence(words: str, expected: Any, sentence: str) -> None:
    with pytest.raises(FeatureMistake) as raised:
        value_matcher(words, expected)
    assert str(raised.value) == sentence


@pytest.mark.parametrize(
    ("words", "expected", "actual"),
    [
        ("is", "Rate limit", "rate limit"),
        ("contains", "rate limit", "Rate limit exceeded"),
        ("starts with", "rate", "Rate limit"),
        ("ends with", "EXCEEDED", "Rate limit exceeded"),
    ],
)
def test_a_text_that_differs_only_in_capitalisation_says_so(words, expected, actual):
    matcher = value_matcher(words, expected)
    assert not matcher.matches([actual])
    assert matcher.mismatch([actual]) == f'was "{actual}" (only the capitalisation differs)'


def test_no_capitalisation_hint_when_the_text_really_differs():
    assert value_matcher("contains", "limit").mismatch(["nothing"]) == 'was "nothing"'
