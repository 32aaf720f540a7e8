"""Karate-style partial matching of a JSON value against a template.

The template is the JSON a feature writer pastes into a docstring::

    {"type": "chat", "from": "#string", "id": "#uuid", "tags": "#[2]"}

Rules:

* an object template is a *partial* match: every key of the template must
  match, keys the template does not mention are ignored, recursively;
* a list template must have the same length and match element by element, in
  order;
* any other value must be JSON-equal (``5`` is not ``"5"``; ``true`` is not ``1``);
* a text starting with ``#`` is a marker:

  ==================  =====================================================
  ``#ignore``         anything; the key may be missing
  ``#present``        the key exists, any value including null
  ``#notpresent``     the key does not exist
  ``#null``           null (the key must exist)
  ``#notnull``        any value but null (the key must exist)
  ``#string``         text; likewise ``#number``, ``#boolean``, ``#array``,
                      ``#object``, ``#uuid`` and ``#timestamp`` (ISO 8601
                      text or epoch seconds/milliseconds)
  ``#regex <re>``     text the regular expression matches in full
  ``#[3]``, ``#[]``   a list of 3 items; any list
  ``##string`` …      the key may be missing or null; otherwise as ``#string``
  ==================  =====================================================

The template is compiled once; :meth:`Template.matches` stops at the first
difference, :meth:`Template.differences` walks everything to explain a failure
(``$.user.name was "al", expected "alice"``) and to score how close a value came.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from typing import Any

from wsbdd.model.errors import FeatureMistake

from .values import is_number, is_timestamp, is_uuid, json_equal, kind_of, show, type_hint

__all__ = ["Template", "compile_template", "MARKERS", "child_path"]

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def child_path(path: str, key: str | int) -> str:
    """The JSONPath of a member: ``$.user`` + ``name`` -> ``$.user.name``; ``[0]``; ``['a b']``."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    if _NAME.fullmatch(key):
        return f"{path}.{key}"
    return f"{path}[{show(key)}]"


def _items(count: int) -> str:
    return f"{count} item" if count == 1 else f"{count} items"


class Template:
    """A compiled template node; see the module docstring for the rules."""

    __slots__ = ("leaves",)

    leaves: int  # how many checks this node makes, for scoring

    def matches(self, value: Any, present: bool = True) -> bool:
        raise NotImplementedError

    def describe(self) -> str:
        """What this node expects, as the end of "expected …": ``a uuid``, ``"alice"``."""
        raise NotImplementedError

    def diff(self, value: Any, present: bool, path: str, out: list[str]) -> int:
        """Append every difference under ``path`` to ``out``; return the checks passed."""
        if self.matches(value, present):
            return self.leaves
        if not present:
            out.append(f"{path} was missing, expected {self.describe()}")
        else:
            out.append(f"{path} was {show(value, 80)}, expected {self.describe()}")
        return 0

    def differences(self, value: Any, path: str = "$") -> tuple[list[str], float]:
        """All differences (first one first) and the fraction of checks that passed."""
        out: list[str] = []
        passed = self.diff(value, True, path, out)
        return out, passed / self.leaves if self.leaves else 1.0


class _Literal(Template):
    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value
        self.leaves = 1

    def matches(self, value: Any, present: bool = True) -> bool:
        return present and json_equal(value, self.value)

    def describe(self) -> str:
        return show(self.value, 80)

    def diff(self, value: Any, present: bool, path: str, out: list[str]) -> int:
        if present and not json_equal(value, self.value):
            out.append(
                f"{path} was {show(value, 80)}{type_hint(value, self.value)}, "
                f"expected {self.describe()}"
            )
            return 0
        return super().diff(value, present, path, out)


class _Object(Template):
    __slots__ = ("members",)

    def __init__(self, members: dict[str, Template]) -> None:
        self.members = members
        self.leaves = sum(node.leaves for node in members.values()) or 1

    def matches(self, value: Any, present: bool = True) -> bool:
        if not isinstance(value, dict):
            return False
        for key, node in self.members.items():
            if key in value:
                if not node.matches(value[key]):
                    return False
            elif not node.matches(None, False):
                return False
        return True

    def describe(self) -> str:
        return "an object"

    def diff(self, value: Any, present: bool, path: str, out: list[str]) -> int:
        if not isinstance(value, dict):
            return super().diff(value, present, path, out)
        passed = 0
        for key, node in self.members.items():
            member = child_path(path, key)
            if key in value:
                passed += node.diff(value[key], True, member, out)
            else:
                passed += node.diff(None, False, member, out)
        return passed if self.members else 1


class _Array(Template):
    __slots__ = ("elements",)

    def __init__(self, elements: list[Template]) -> None:
        self.elements = elements
        self.leaves = 1 + sum(node.leaves for node in elements)

    def matches(self, value: Any, present: bool = True) -> bool:
        if not isinstance(value, list) or len(value) != len(self.elements):
            return False
        for item, node in zip(value, self.elements, strict=True):
            if not node.matches(item):
                return False
        return True

    def describe(self) -> str:
        return f"a list of {_items(len(self.elements))}"

    def diff(self, value: Any, present: bool, path: str, out: list[str]) -> int:
        if not isinstance(value, list):
            return super().diff(value, present, path, out)
        if len(value) != len(self.elements):
            out.append(f"{path} has {_items(len(value))}, expected {len(self.elements)}")
            return 0
        passed = 1
        for index, (item, node) in enumerate(zip(value, self.elements, strict=True)):
            passed += node.diff(item, True, child_path(path, index), out)
        return passed


class _Marker(Template):
    __slots__ = ("text", "test", "wanted", "allow_missing")

    def __init__(
        self,
        text: str,
        test: Callable[[Any, bool], bool],
        wanted: str,
        allow_missing: bool = False,
    ) -> None:
        self.text = text
        self.test = test
        self.wanted = wanted
        self.allow_missing = allow_missing
        self.leaves = 1

    def matches(self, value: Any, present: bool = True) -> bool:
        return self.test(value, present)

    def describe(self) -> str:
        return self.wanted


class _ListOf(_Marker):
    """``#[n]``: a list of n items; the mismatch counts items like an array template."""

    __slots__ = ("count",)

    def __init__(self, text: str, count: int) -> None:
        super().__init__(
            text,
            lambda value, present: isinstance(value, list) and len(value) == count,
            f"a list of {_items(count)}",
        )
        self.count = count

    def diff(self, value: Any, present: bool, path: str, out: list[str]) -> int:
        if isinstance(value, list) and len(value) != self.count:
            out.append(f"{path} has {_items(len(value))}, expected {self.count}")
            return 0
        return super().diff(value, present, path, out)


def _typed(check: Callable[[Any], bool]) -> Callable[[Any, bool], bool]:
    return lambda value, present: present and check(value)


_SIMPLE_MARKERS: dict[str, tuple[Callable[[Any, bool], bool], str]] = {
    "ignore": (lambda value, present: True, "anything"),
    "present": (lambda value, present: present, "it to be present"),
    "notpresent": (lambda value, present: not present, "it to be absent"),
    "null": (_typed(lambda value: value is None), "null"),
    "notnull": (_typed(lambda value: value is not None), "a value that is not null"),
    "string": (_typed(lambda value: isinstance(value, str)), "a string"),
    "number": (_typed(is_number), "a number"),
    "boolean": (_typed(lambda value: isinstance(value, bool)), "a boolean"),
    "array": (_typed(lambda value: isinstance(value, list)), "a list"),
    "object": (_typed(lambda value: isinstance(value, dict)), "an object"),
    "uuid": (_typed(is_uuid), "a uuid"),
    "timestamp": (_typed(is_timestamp), "a timestamp"),
}
MARKERS: tuple[str, ...] = (
    *(f"#{name}" for name in _SIMPLE_MARKERS),
    "#regex <pattern>",
    "#[n]",
    "#[]",
    "##string",
)
_OPTIONAL_OK = frozenset({"string", "number", "boolean", "array", "object", "uuid", "timestamp"})
_LIST_OF = re.compile(r"\[(\d*)\]")


def _marker(text: str) -> Template:
    body = text[1:]
    if body.startswith("#") and len(body) > 1:
        inner = _marker(body)
        if not isinstance(inner, _Marker) or inner.allow_missing:
            raise _unknown_marker(text)
        inner_test = inner.test
        return _Marker(
            text,
            lambda value, present: not present or value is None or inner_test(value, present),
            f"{inner.describe()}, null or nothing",
            allow_missing=True,
        )
    if body in _SIMPLE_MARKERS:
        test, wanted = _SIMPLE_MARKERS[body]
        return _Marker(text, test, wanted, allow_missing=body in ("ignore", "notpresent"))
    if body.startswith("regex "):
        pattern = body[len("regex ") :].strip()
        regex = _compile_regex(pattern)
        return _Marker(
            text,
            _typed(lambda value: isinstance(value, str) and regex.fullmatch(value) is not None),
            f"text matching the regex {show(pattern)}",
        )
    sized = _LIST_OF.fullmatch(body)
    if sized:
        if not sized.group(1):
            return _Marker(text, *_SIMPLE_MARKERS["array"])
        return _ListOf(text, int(sized.group(1)))
    raise _unknown_marker(text)


def _compile_regex(pattern: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern)
    except re.error as error:
        raise FeatureMistake(
            f"The regular expression {show(pattern)} is not valid ({error}); "
            'fix it, e.g. "[a-z]+-[0-9]+".'
        ) from None


def _unknown_marker(text: str) -> FeatureMistake:
    known = [f"#{name}" for name in _SIMPLE_MARKERS] + [f"##{name}" for name in _OPTIONAL_OK]
    close = difflib.get_close_matches(text, known, n=1)
    guess = f'did you mean "{close[0]}"? Known' if close else "known"
    return FeatureMistake(
        f'Unknown marker "{text}" in the JSON template; {guess} markers: '
        f"{', '.join(MARKERS)} (to compare with text that starts with #, "
        f'use a condition such as $.tag is "{text}").'
    )


def compile_template(template: Any) -> Template:
    """Compile a template (parsed JSON) once; raises :class:`FeatureMistake` on a bad marker."""
    if isinstance(template, dict):
        return _Object({str(key): compile_template(value) for key, value in template.items()})
    if isinstance(template, list | tuple):
        return _Array([compile_template(value) for value in template])
    if isinstance(template, str) and template.startswith("#"):
        return _marker(template)
    if isinstance(template, int | float | str | bool) or template is None:
        return _Literal(template)
    raise FeatureMistake(
        f"The JSON template holds {kind_of(template)} ({template!r}), which JSON cannot "
        'express; use text, numbers, true, false, null, lists and objects, e.g. {"id": "#uuid"}.'
    )
