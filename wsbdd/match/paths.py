"""Compiled JSONPath expressions, cached, with a fast path for plain paths.

``jsonpath_ng.ext.parse`` costs about 250 µs (it builds a PLY parser), so every
path text is compiled once and kept.  Most paths in features are plain chains
of keys and indices (``$.payload.items[0].id``); those become a tuple of keys
evaluated by direct dict/list access, about 50x faster than jsonpath_ng's
``find``.  Everything else (filters, wildcards, ``..``, slices, `` `len` ``)
goes through jsonpath_ng.  Both give the same answers: a list of the selected
values, ``[]`` when nothing is selected, never an exception.
"""

from __future__ import annotations

import re
import threading
from typing import Any

from jsonpath_ng import Child, Descendants, Fields, Index, Root, Slice, This, Where, Wildcard
from jsonpath_ng.ext import parse as _jsonpath_parse
from jsonpath_ng.ext.filter import Filter

from wsbdd.errors import FeatureMistake

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


class _PlainPath(JsonPath):
    """A chain of dict keys and list indices, evaluated by direct access."""

    __slots__ = ("_steps",)

    def __init__(self, text: str, steps: tuple[str | int, ...]) -> None:
        self.text = text
        self.is_singular = True
        self.selects_many = False
        # Each step carries the container it needs: strings and bytes are
        # indexable in Python but not in JSONPath, and lists have no keys.
        self._steps = tuple((step, dict if isinstance(step, str) else list) for step in steps)

    def find(self, value: Any) -> list[Any]:
        try:
            for key, container in self._steps:
                if value.__class__ is not container and not isinstance(value, container):
                    return []
                value = value[key]
        except (KeyError, IndexError):
            return []
        return [value]


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
        path = _JsonPathNg(normalised, expr)
    _cache[text] = path
    return path
