"""Compiled JSONPath expressions, cached, with a fast path for plain paths.

``jsonpath_ng.ext.parse`` costs about 250 µs (it builds a PLY parser), so every
path text is compiled once and kept.  Most paths in features are plain chains
of keys and indices (``$.payload.items[0].id``); those become a tuple of keys
evaluated by direct dict/list access, about 50x faster than jsonpath_ng's
``find``.  A plain path with one filter of simple comparisons in it
(``$.players[?(@.score > 10)].name``) is evaluated the same way around the
filter, with jsonpath_ng's own comparison functions deciding each member.
Everything else (``||``, wildcards, ``..``, slices, `` `len` ``, comparing two
paths) goes through jsonpath_ng.  All give the same answers: a list of the
selected values, ``[]`` when nothing is selected, never an exception.
"""

from __future__ import annotations

import re
import threading
from typing import Any

from jsonpath_ng import (
    Child,
    Descendants,
    Fields,
    Index,
    JSONPath,
    Root,
    Slice,
    This,
    Where,
    Wildcard,
)
from jsonpath_ng import jsonpath as _jsonpath_module
from jsonpath_ng.ext import filter as _filter_module
from jsonpath_ng.ext import parse as _jsonpath_parse
from jsonpath_ng.ext.filter import Expression, Filter

from wsbdd.model.errors import FeatureMistake

__all__ = ["JsonPath", "compile_path"]


class JsonPath:
    """A compiled JSONPath: ``.text`` is its source, ``.find(value)`` the selected values.

    ``is_singular``: the path names at most one value (only keys and single
    indices).  ``selects_many``: its *last* step picks several members (``[*]``,
    a filter, a slice, ``[0,1]``); ``has length`` and ``is empty`` then measure
    the selection rather than each selected value.
    """

    __slots__ = ("text", "is_singular", "selects_many")

    text: str
    is_singular: bool
    selects_many: bool

    def find(self, value: Any) -> list[Any]:
        """The values the path selects in ``value`` (a parsed JSON document)."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"compile_path({self.text!r})"


_MISSING = object()


def _containers(steps: tuple[str | int, ...]) -> tuple[tuple[str | int, type], ...]:
    # Each step carries the container it needs: strings and bytes are indexable
    # in Python but not in JSONPath, and lists have no keys.
    return tuple((step, dict if isinstance(step, str) else list) for step in steps)


def _walk(value: Any, steps: tuple[tuple[str | int, type[Any]], ...]) -> Any:
    """The value at the end of ``steps`` inside ``value``, or ``_MISSING``."""
    try:
        for key, container in steps:
            if value.__class__ is not container and not isinstance(value, container):
                return _MISSING
            value = value[key]
    except (KeyError, IndexError):
        return _MISSING
    return value


class _PlainPath(JsonPath):
    """A chain of dict keys and list indices, evaluated by direct access."""

    __slots__ = ("_steps",)

    def __init__(self, text: str, steps: tuple[str | int, ...]) -> None:
        self.text = text
        self.is_singular = True
        self.selects_many = False
        self._steps = _containers(steps)

    def find(self, value: Any) -> list[Any]:
        found = _walk(value, self._steps)
        return [] if found is _MISSING else [found]


# Errors a jsonpath_ng expression can raise on odd data (`sorted` on objects,
# arithmetic on text, ...): for a matcher these simply select nothing.
_FIND_ERRORS = (TypeError, ValueError, KeyError, IndexError, AttributeError, ArithmeticError)


class _JsonPathNg(JsonPath):
    """Anything beyond plain keys and indices, evaluated by jsonpath_ng."""

    __slots__ = ("_expr",)

    def __init__(self, text: str, expr: Any) -> None:
        self.text = text
        self._expr = expr
        self.is_singular = _is_singular(expr)
        self.selects_many = _ends_in_many(expr)

    def find(self, value: Any) -> list[Any]:
        try:
            return [datum.value for datum in self._expr.find(value)]
        except _FIND_ERRORS:
            return []


class _FilterPath(JsonPath):
    """Plain steps, one filter of simple comparisons, plain steps: ``$.a[?(@.b > 1)].c``.

    Only the decision on each member is jsonpath_ng's: the comparison functions
    its ``Expression.find`` uses, applied in the same order of cases, so the two
    agree (a test compares them on thousands of documents).
    """

    __slots__ = ("_before", "_tests", "_after")

    def __init__(self, text: str, expr: Any, shape: _FilterShape) -> None:
        self.text = text
        self.is_singular = _is_singular(expr)
        self.selects_many = _ends_in_many(expr)
        before, tests, after = shape
        self._before = _containers(before)
        self._tests = tests
        self._after = _containers(after)

    def find(self, value: Any) -> list[Any]:
        value = _walk(value, self._before)
        if value.__class__ is dict or isinstance(value, dict):
            members = list(value.values())
        elif value.__class__ is list or isinstance(value, list):
            members = value
        else:
            return []
        tests, after = self._tests, self._after
        found = []
        try:
            for member in members:
                if all(test(member) for test in tests):
                    selected = _walk(member, after)
                    if selected is not _MISSING:
                        found.append(selected)
        except _FIND_ERRORS:
            return []
        return found


_FilterShape = tuple[tuple[str | int, ...], tuple[Any, ...], tuple[str | int, ...]]


def _plain_step(node: Any) -> str | int | None:
    """The key or index of a jsonpath_ng node that names exactly one member, else None."""
    if isinstance(node, Fields) and not getattr(node, "_deprecated_wildcard_use", True):
        if len(node.fields) == 1 and node.fields[0] != "*":
            return node.fields[0]
    elif type(node) is Index and len(node.indices) == 1 and isinstance(node.indices[0], int):
        return node.indices[0]
    return None


def _chain(expr: Any) -> list[Any]:
    """``a.b[0]`` as its nodes in order: Child(Child(a, b), [0]) → [a, b, [0]]."""
    nodes: list[Any] = []
    while type(expr) is Child:
        nodes.append(expr.right)
        expr = expr.left
    nodes.append(expr)
    return nodes[::-1]


def _plain_steps_of(nodes: list[Any]) -> tuple[str | int, ...] | None:
    steps = tuple(_plain_step(node) for node in nodes)
    return None if None in steps else steps  # type: ignore[return-value]


# What jsonpath_ng's Expression.find decides with; reading them from the module
# keeps the fast path in step with the installed version (or off, if they moved).
_COMPARE: Any = getattr(_filter_module, "_compare", None)
_OPERATORS: Any = getattr(_filter_module, "OPERATOR_MAP", None)
_EQUALITY_ONLY: Any = getattr(_filter_module, "EQUALITY_ONLY_OPERATOR_MAP", None)


def _member_test(expression: Any) -> Any:
    """A function member → bool deciding as ``bool(expression.find(member))``, or None."""
    if type(expression) is not Expression or isinstance(expression.value, JSONPath):
        return None
    nodes = _chain(expression.target)
    if type(nodes[0]) is not This:
        return None
    steps = _plain_steps_of(nodes[1:])
    op, literal = expression.op, expression.value
    known = op is None or op == "!" or (op in _OPERATORS and op in _EQUALITY_ONLY) or op == "=~"
    if steps is None or not known:
        return None
    path = _containers(steps)
    compare, only_equality, regex = _COMPARE, _EQUALITY_ONLY, _OPERATORS["=~"]

    def test(member: Any) -> bool:
        value = _walk(member, path)
        if op == "!":
            return value is _MISSING
        if value is _MISSING:
            return op == "!="
        if op is None:
            return True
        if literal is None:
            return bool(only_equality[op](value is None))
        if op != "=~" and (isinstance(value, bool) or isinstance(literal, bool)):
            return bool(only_equality[op](value is literal))
        if op == "=~":
            return bool(regex(value, literal))
        return bool(compare(op, value, literal))

    return test


def _filter_shape(expr: Any) -> _FilterShape | None:
    """``(steps before, member tests, steps after)`` when ``expr`` suits :class:`_FilterPath`."""
    if None in (_COMPARE, _OPERATORS, _EQUALITY_ONLY) or _jsonpath_module.auto_id_field:
        return None
    nodes = _chain(expr)
    filters = [i for i, node in enumerate(nodes) if type(node) is Filter]
    if type(nodes[0]) is not Root or len(filters) != 1:
        return None
    at = filters[0]
    before, after = _plain_steps_of(nodes[1:at]), _plain_steps_of(nodes[at + 1 :])
    tests = tuple(_member_test(e) for e in nodes[at].expressions)
    if before is None or after is None or not tests or None in tests:
        return None
    return before, tests, after


def _is_singular(expr: Any) -> bool:
    if isinstance(expr, Root | This):
        return True
    if isinstance(expr, Child):
        return _is_singular(expr.left) and _is_singular(expr.right)
    if isinstance(expr, Fields):
        return len(expr.fields) == 1 and expr.fields[0] != "*"
    if isinstance(expr, Index):
        return len(expr.indices) == 1
    return False


def _ends_in_many(expr: Any) -> bool:
    if isinstance(expr, Child | Descendants | Where):
        return _ends_in_many(expr.right)
    if isinstance(expr, Fields):
        return len(expr.fields) != 1 or expr.fields[0] == "*"
    if isinstance(expr, Index):
        return len(expr.indices) != 1
    return isinstance(expr, Wildcard | Slice | Filter)


# A plain path: `$` then `.name`, `[3]`, `[-1]`, `['a b']` or `["a b"]`.  Names
# follow jsonpath_ng's lexer; its reserved words and anything unusual (escapes,
# non-ASCII names, `*`) are left to jsonpath_ng so both always agree.
_STEP = re.compile(
    r"""\.(?P<name>[A-Za-z_][A-Za-z0-9_\-]*)
      | \[\s*(?P<index>-?\d+)\s*\]
      | \[\s*'(?P<single>[^'\\*]*)'\s*\]
      | \[\s*"(?P<double>[^"\\*]*)"\s*\]""",
    re.VERBOSE,
)
_RESERVED_NAMES = frozenset({"where", "wherenot", "true", "false", "null"})


def _plain_steps(text: str) -> tuple[str | int, ...] | None:
    if not text.startswith("$"):
        return None
    steps: list[str | int] = []
    position, end = 1, len(text)
    while position < end:
        step = _STEP.match(text, position)
        if step is None:
            return None
        name, index = step.group("name"), step.group("index")
        if name is not None:
            if name in _RESERVED_NAMES:
                return None
            steps.append(name)
        elif index is not None:
            steps.append(int(index))
        else:
            steps.append(step.group("single") or step.group("double") or "")
        position = step.end()
    return tuple(steps)


def _normalise(text: str) -> str:
    if text.startswith(("$", "@")):
        return text
    if text.startswith(("[", ".")):
        return "$" + text
    return "$." + text


_cache: dict[str, JsonPath] = {}
# PLY builds module-level parser state; compiling from two threads at once is
# not something it promises to survive.
_compile_lock = threading.Lock()


def compile_path(text: str) -> JsonPath:
    """Compile (once) a JSONPath such as ``$.items[0].name`` or ``$.items[?(@.id == 3)]``.

    A bare path without ``$`` (``content``, ``user.name``) means ``$.content``.
    An invalid path raises :class:`FeatureMistake` naming it and showing valid ones.
    """
    path = _cache.get(text)
    if path is not None:
        return path
    source = text.strip()
    if not source:
        raise FeatureMistake(
            "The JSONPath is empty; write a path such as $.items[0].name, "
            "or $ for the whole message."
        )
    normalised = _normalise(source)
    steps = _plain_steps(normalised)
    if steps is not None:
        path = _PlainPath(normalised, steps)
    else:
        with _compile_lock:
            try:
                expr = _jsonpath_parse(normalised)
            except Exception as error:  # jsonpath_ng raises several unrelated types
                reason = str(error).strip().rstrip("!").strip() or type(error).__name__
                raise FeatureMistake(
                    f'The JSONPath "{source}" is not valid ({reason}); check its brackets '
                    "and quotes, e.g. $.items[0].name or $.items[?(@.id == 3)]."
                ) from None
        shape = _filter_shape(expr)
        path = (
            _JsonPathNg(normalised, expr) if shape is None else _FilterPath(normalised, expr, shape)
        )
    _cache[text] = path
    return path
