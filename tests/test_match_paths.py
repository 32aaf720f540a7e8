"""JSONPath compilation: the fast path agrees with jsonpath_ng, caching, mistakes."""

from __future__ import annotations

import functools
import itertools
import json
from typing import Any

import pytest
from jsonpath_ng.ext import parse as jsonpath_parse

from wsbdd.match import JsonPath, compile_path
from wsbdd.match.paths import _ends_in_many, _FilterPath, _is_singular, _JsonPathNg, _PlainPath
from wsbdd.model.errors import FeatureMistake

DOCS: list[Any] = [
    {
        "type": "chat",
        "content": "hello",
        "n": 0,
        "flag": False,
        "nothing": None,
        "user": {"name": "alice", "tags": ["a", "b", "c"], "a b": {"c": 5}},
        "items": [{"id": 1, "name": "x"}, {"id": 2, "name": "y", "extra": [10, 20]}],
        "matrix": [[1, 2], [3, 4]],
        "a-b": 1,
        "_private": {"x": True},
        "": "empty key",
    },
    [{"id": 1}, {"id": 2}, "text", 5, None, [7]],
    "plain text",
    42,
    None,
    {"data": {"list": []}, "in": {"where": 1}},
]

STEPS = [
    ".type",
    ".content",
    ".n",
    ".flag",
    ".nothing",
    ".user",
    ".name",
    ".tags",
    ".id",
    ".items",
    ".extra",
    ".matrix",
    ".a-b",
    "._private",
    ".x",
    ".data",
    ".list",
    ".in",
    ".missing",
    "[0]",
    "[1]",
    "[2]",
    "[-1]",
    "[-2]",
    "[5]",
    "[-9]",
    "['a b']",
    '["a b"]',
    "['c']",
    "['']",
    ".c",
]


def plain_paths() -> list[str]:
    """Every plain path up to two steps, and a deterministic sample of three-step ones."""
    short = ["$"] + [
        "$" + "".join(combo) for depth in (1, 2) for combo in itertools.product(STEPS, repeat=depth)
    ]
    long = ["$" + "".join(combo) for combo in itertools.product(STEPS, repeat=3)]
    return short + long[::97]


@functools.cache
def reference_expr(text: str) -> Any:
    return jsonpath_parse(text)


def reference(text: str, doc: Any) -> list[Any]:
    return [datum.value for datum in reference_expr(text).find(doc)]


def test_fast_path_agrees_with_jsonpath_ng_on_every_plain_path() -> None:
    paths = plain_paths()
    checked = 0
    for text in paths:
        path = compile_path(text)
        assert isinstance(path, _PlainPath), text
        for doc in DOCS:
            assert path.find(doc) == reference(text, doc), (text, json.dumps(doc))
            checked += 1
    assert checked > 7000


@pytest.mark.parametrize(
    "text",
    [
        "$.items[?(@.id == 2)].name",
        "$.items[?(@.id > 1)]",
        "$.items[*].id",
        "$..name",
        "$..id",
        "$.user.tags[1:]",
        "$.user.tags[0,2]",
        "$.user.tags.`len`",
        "$.items[?(@.extra)].id",
        "$.items[?(@.name =~ '^x')].id",
        "$[*]",
        "$.user.*",
        "$.user['a b'].c",
        '$.user."a b".c',
    ],
)
def test_jsonpath_ng_paths_return_plain_values(text: str) -> None:
    path = compile_path(text)
    for doc in DOCS:
        assert path.find(doc) == reference(text, doc)


def test_examples_of_both_paths() -> None:
    doc = DOCS[0]
    assert compile_path("$.user.tags[-1]").find(doc) == ["c"]
    assert compile_path("$['user']['a b'].c").find(doc) == [5]
    assert compile_path("$.items[0].name").find(doc) == ["x"]
    assert compile_path("$.items[?(@.id == 2)].name").find(doc) == ["y"]
    assert compile_path("$.items[*].id").find(doc) == [1, 2]
    assert compile_path("$.nothing").find(doc) == [None]
    assert compile_path("$").find("plain text") == ["plain text"]


def test_mismatched_shapes_select_nothing_and_never_raise() -> None:
    doc = DOCS[0]
    for text in [
        "$.content[0]",
        "$.user[0]",
        "$.items.id",
        "$.n.x",
        "$.missing.deeper[3]",
        "$.user.tags[99]",
        "$.nothing.x",
        "$.items[?(@.id > 'x')]",
    ]:
        assert compile_path(text).find(doc) == [], text
    assert compile_path("$.a").find(b"\x00\x01") == []
    assert compile_path("$[0]").find(b"\x00\x01") == []
    assert compile_path("$[0]").find("text") == []


def test_bare_paths_mean_from_the_root() -> None:
    assert compile_path("content").text == "$.content"
    assert compile_path("user.name").find(DOCS[0]) == ["alice"]
    assert compile_path("[1]").text == "$[1]"
    assert compile_path("items[?(@.id == 1)].name").find(DOCS[0]) == ["x"]


def test_compiled_once() -> None:
    assert compile_path("$.a.b[0]") is compile_path("$.a.b[0]")
    assert compile_path("$.items[?(@.id == 1)]") is compile_path("$.items[?(@.id == 1)]")
    assert isinstance(compile_path("$.x"), JsonPath)


def test_singular_and_selects_many() -> None:
    cases = {
        "$.a.b[0]": (True, False),
        "$.a['x y']": (True, False),
        "$.a[*]": (False, True),
        "$.a[?(@.x)]": (False, True),
        "$.a[?(@.x)].tags": (False, False),
        "$.a[1:]": (False, True),
        "$.a[0,1]": (False, True),
        "$..tags": (False, False),
    }
    for text, (singular, many) in cases.items():
        path = compile_path(text)
        assert (path.is_singular, path.selects_many) == (singular, many), text


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("$.a[", "Parse error near the end of string"),
        ("$.a[?(@.x ? 1)]", "Parse error at 1:10 near token ? (?)"),
        ("$.where", "Parse error at 1:2 near token where (WHERE)"),
    ],
)
def test_invalid_path_is_a_feature_mistake(text: str, reason: str) -> None:
    with pytest.raises(FeatureMistake) as raised:
        compile_path(text)
    assert str(raised.value) == (
        f'The JSONPath "{text}" is not valid ({reason}); check its brackets and quotes, '
        "e.g. $.items[0].name or $.items[?(@.id == 3)]."
    )


def test_empty_path_is_a_feature_mistake() -> None:
    with pytest.raises(FeatureMistake, match="^The JSONPath is empty; write a path such as"):
        compile_path("  ")


# Filters: the fast path decides each member with jsonpath_ng's own comparisons;
# here both are run on members of every JSON type, with every operator and literal.
MEMBER_VALUES: list[Any] = [
    -1, 0, 3, 10, 11, 10.0, 10.5, True, False, None, "10", "bob", "alice", "", [1], [], {"x": 1}
]  # fmt: skip


def filter_docs() -> list[Any]:
    members: list[Any] = [{"score": v, "name": f"p{i}"} for i, v in enumerate(MEMBER_VALUES)]
    members += [
        {"name": "no score"},
        {"score": {"a": {"b": 1}}, "name": "nested", "a": {"b": 1}},
        {"a": {"b": "1"}, "name": "nested text"},
        [1, 2],
        [0],
        5,
        "x",
        None,
        {"score": 12},  # no name: the suffix selects nothing there
    ]
    return [
        {"players": members},
        {"players": {f"k{i}": m for i, m in enumerate(members)}},  # a filter runs over values
        {"players": "not a list"},
        {"game": {"players": members[:9]}},
        {},
        members,
        None,
    ]


def filter_paths() -> list[str]:
    literals = ["10", "10.5", "0", "-1", "'bob'", "'10'", "''", "true", "false", "null"]
    ops = ["==", "!=", "<", "<=", ">", ">="]
    paths = [f"$.players[?(@.score {op} {lit})].name" for op in ops for lit in literals]
    paths += [
        "$.players[?(@.score)].name",
        "$.players[?(!@.score)].name",
        "$.players[?(@.score =~ 'b.*')].name",
        "$.players[?(@.name =~ '^p1')].score",
        "$.players[?(@.score > 3 && @.score < 11)].name",
        "$.players[?(@.a.b == 1)].name",
        "$.players[?(@.a.b == '1')]",
        "$.players[?(@[0] == 1)]",
        "$.players[?(@ > 3)]",
        "$.players[?(@ == 'x')]",
        "$.players[?(@.score == 10)]",
        "$.players[?(@.score == 10)][0]",
        "$.players[?(@.score)].a.b",
        "$.game.players[?(@.score >= 10)].name",
        "$[?(@.score == 3)].name",
        "$.players[?(@.score = 3)].name",
    ]
    return paths


def reference_or_nothing(text: str, doc: Any) -> list[Any]:
    try:
        return reference(text, doc)
    except (TypeError, ValueError, KeyError, IndexError, AttributeError, ArithmeticError):
        return []


def test_filter_fast_path_agrees_with_jsonpath_ng() -> None:
    checked = 0
    for text in filter_paths():
        path = compile_path(text)
        assert isinstance(path, _FilterPath), text
        reference_path = jsonpath_parse(text)
        assert (path.is_singular, path.selects_many) == (
            _is_singular(reference_path),
            _ends_in_many(reference_path),
        )
        for doc in filter_docs():
            assert path.find(doc) == reference_or_nothing(text, doc), (text, json.dumps(doc))
            checked += 1
    assert checked > 400


@pytest.mark.parametrize(
    "text",
    [
        "$.players[?(@.score > 3 || @.name == 'x')].name",  # `or`: jsonpath_ng decides
        "$.players[?(@.score == @.other)].name",  # two paths compared
        "$.players[?(@.score > 1)][?(@.x)]",  # two filters
        "$.players[*][?(@.x)]",
        "$..players[?(@.score > 1)]",
        "$.players[?($.limit > 1)]",
    ],
)
def test_other_filters_stay_with_jsonpath_ng(text: str) -> None:
    path = compile_path(text)
    assert isinstance(path, _JsonPathNg)
    for doc in filter_docs():
        assert path.find(doc) == reference_or_nothing(text, doc)
