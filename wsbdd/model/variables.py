"""``${name}`` templating for feature text: substitution only, never evaluation.

Every string a feature writer types (step text, docstrings, table cells) may use
``${name}``.  A name is looked up, in this order, in:

1. the scenario's own values (``And I remember $.id ... as "msg_id"``), including
   per-client layers added with :meth:`Variables.child` (``${client}``, ``${index}``);
2. generators, fresh on every use: ``${uuid}``, ``${now}``, ``${now_ms}``,
   ``${timestamp}``, ``${random_int}``, ``${random_string}``;
3. ``${env.NAME}``: the environment variable ``NAME`` (missing is an error);
4. ``${config.KEY}``: a wsbdd setting (``${config.url}``, ``${config.token.place}``).

``$${x}`` is the literal text ``${x}``; a ``$`` not followed by ``{`` is just a
dollar sign.

A value that is a table (a mapping, from ``[variables.tokens]`` in the settings or
``I set "tokens" to the table:``) is read entry by entry: ``${tokens.player1}``.
Placeholders nest, the inner one first: ``${tokens.${client}}`` is the entry of
``tokens`` for the client at hand.

Two renderings exist because a value lands either in plain text or in JSON.
:meth:`Variables.render_text` writes ``str(value)``.  :meth:`Variables.render_json_text`
knows whether each placeholder sits inside a JSON string literal and escapes
accordingly, so a chat message containing quotes, backslashes or newlines
still yields valid JSON, and ``{"id": ${n}}`` keeps a number a number.
"""

from __future__ import annotations

import difflib
import json
import os
import random
import re
import string
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

from wsbdd.model.errors import FeatureMistake
from wsbdd.model.json_text import plain_error

__all__ = [
    "Variables",
    "find_placeholders",
    "is_valid_name",
    "root_name",
    "GENERATORS",
    "RESERVED_PREFIXES",
]

_NAME_RE = re.compile(r"[A-Za-z0-9_.\-]+")
_NAME_CHARS = frozenset(string.ascii_letters + string.digits + "_.-")
# Where a malformed placeholder probably ends: a "}" means a bad name inside
# braces; anything else (quote, comma, bracket, line end) means a missing "}".
_STOP_RE = re.compile(r"""[}"',:{\[\]\n]""")
RESERVED_PREFIXES = ("env.", "config.")
"""Names starting with these read the environment and the settings; they cannot be set."""

_rng = random.Random()
_ALPHABET = string.ascii_lowercase + string.digits


def _now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


GENERATORS: Mapping[str, Callable[[], Any]] = {
    "uuid": lambda: str(uuid.uuid4()),
    "now": _now_iso,
    "now_ms": lambda: time.time_ns() // 1_000_000,
    "timestamp": time.time,
    "random_int": lambda: _rng.randint(0, 999_999),
    "random_string": lambda: "".join(_rng.choices(_ALPHABET, k=12)),
}
"""Values made fresh on every use; a scenario value with the same name wins."""

_REMEMBER_HINT = 'e.g. And I remember $.id from Bob\'s last message as "{name}"'


def is_valid_name(name: object) -> bool:
    """True if *name* may be used as a variable name (letters, digits, ``_ . -``)."""
    return isinstance(name, str) and _NAME_RE.fullmatch(name) is not None


def _check_settable(name: object) -> str:
    if not is_valid_name(name):
        raise FeatureMistake(
            f'"{name}" is not a valid variable name; use only letters, digits, "_", "." '
            'and "-", for example "msg_id".'
        )
    assert isinstance(name, str)
    for prefix in RESERVED_PREFIXES:
        if name.startswith(prefix):
            raise FeatureMistake(
                f'The variable name "{name}" cannot be set because names starting with '
                f'"{prefix}" read {"the environment" if prefix == "env." else "the settings"}; '
                f'choose another name, for example "{name[len(prefix) :]}".'
            )
    return name


# -- parsing -----------------------------------------------------------------------------


def _tokens(text: str) -> Iterator[tuple[bool, str]]:
    """Split *text* into ``(False, literal)`` and ``(True, variable_name)`` pieces.

    Raises :class:`FeatureMistake` for an unclosed, empty or malformed
    placeholder, so mistakes surface before anything is sent.
    """
    pos = 0
    literal: list[str] = []
    while True:
        dollar = text.find("$", pos)
        if dollar < 0:
            literal.append(text[pos:])
            break
        if text.startswith("$${", dollar):
            literal.append(text[pos:dollar] + "${")
            pos = dollar + 3
            continue
        if not text.startswith("${", dollar):
            literal.append(text[pos : dollar + 1])
            pos = dollar + 1
            continue
        literal.append(text[pos:dollar])
        name, pos = _read_placeholder(text, dollar)
        yield False, "".join(literal)
        literal = []
        yield True, name
    yield False, "".join(literal)


def _read_placeholder(text: str, dollar: int) -> tuple[str, int]:
    """Read the placeholder starting at ``text[dollar]``; return (name, index after ``}``).

    A name may hold placeholders of its own (``${tokens.${client}}``): they are kept
    in the name as written and filled in first, when the value is looked up.
    """
    start = dollar + 2
    end = start
    parts: list[str] = []
    while True:
        while end < len(text) and (text[end] in _NAME_CHARS or text[end] in " \t"):
            end += 1
        if not text.startswith("${", end):
            break
        inner, after = _read_placeholder(text, end)
        parts.append(text[start:end] + "${" + inner + "}")
        start = end = after
    parts.append(text[start:end])
    name = "".join(parts).strip()
    if end < len(text) and text[end] == "}":
        literal = _INNER.sub("", name)
        if not name or " " in literal or "\t" in literal or (literal == "" and "${" not in name):
            shown = text[dollar : end + 1]
            if not name:
                raise FeatureMistake(
                    f'The placeholder "{shown}" has no variable name; write "${{name}}", or '
                    f'"$${{}}" for the literal text "${{}}".'
                )
            raise FeatureMistake(
                f'The placeholder "{shown}" is not a valid variable name; names use only '
                'letters, digits, "_", "." and "-", without spaces.'
            )
        return name, end + 1
    closing = _STOP_RE.search(text, end)
    if closing and closing.group() == "}":
        closing_at = closing.start()
        shown = text[dollar : closing_at + 1]
        raise FeatureMistake(
            f'The placeholder "{shown}" is not a valid variable name; names use only '
            'letters, digits, "_", "." and "-".'
        )
    shown = text[dollar:end].rstrip()
    closed = f"{shown}}}" if name else "${name}"
    raise FeatureMistake(
        f'The placeholder "{shown}" is not closed; write "{closed}", or "${shown}" for the '
        "literal text."
    )


_INNER = re.compile(r"\$\{[^{}]*\}")
"""An innermost placeholder inside a name (``${client}`` in ``tokens.${client}``)."""


def root_name(name: str) -> str:
    """The fixed start of a name that holds placeholders: ``tokens.${client}`` → ``tokens``.

    A name without placeholders is its own root.
    """
    if "${" not in name:
        return name
    return name[: name.index("${")].rstrip(".")


def find_placeholders(text: str) -> list[str]:
    """The variable names *text* uses, in order of first use (escaped ``$${x}`` excluded).

    A nested placeholder gives its inner names and the outer name as written:
    ``${tokens.${client}}`` → ``["client", "tokens.${client}"]``.  Raises
    :class:`FeatureMistake` for a malformed placeholder, which makes it usable for
    checking feature files before a run.
    """
    if "$" not in text:
        return []
    seen: dict[str, None] = {}
    for is_name, piece in _tokens(text):
        if is_name:
            if "${" in piece:
                for inner in find_placeholders(piece):
                    seen.setdefault(inner, None)
            seen.setdefault(piece, None)
    return list(seen)


# -- value rendering -----------------------------------------------------------------------


def _compact_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


def _as_text(value: Any) -> str:
    """How a value reads in plain text: strings as-is, everything else as JSON."""
    if isinstance(value, str):
        return value
    if value is None or isinstance(value, bool | dict | list | tuple):
        return _compact_json(value)
    return str(value)


def _as_json_string_content(value: Any) -> str:
    """The value's text escaped for the inside of a JSON string literal (no quotes)."""
    return json.dumps(_as_text(value), ensure_ascii=False)[1:-1]


def _as_json_value(value: Any) -> str:
    """The value as a JSON value (strings quoted, numbers bare, objects as JSON)."""
    if isinstance(value, str | int | float | bool | dict | list | tuple) or value is None:
        return json.dumps(value, ensure_ascii=False, default=str)
    return json.dumps(str(value), ensure_ascii=False)


def _json_error(error: json.JSONDecodeError, changed: bool) -> FeatureMistake:
    error = plain_error(error)  # the same words on every Python
    doc, pos = error.doc, error.pos
    start = max(0, pos - 40)
    end = min(len(doc), pos + 12)
    excerpt = " ".join(doc[start:end].split()) or "(empty)"
    if start > 0:
        excerpt = "…" + excerpt
    if end < len(doc):
        excerpt += " …"
    after = " (after replacing variables)" if changed else ""
    return FeatureMistake(
        f"The JSON is not valid{after}: {error.msg} at line {error.lineno}, "
        f"column {error.colno}: {excerpt}"
    )


# -- the variables ---------------------------------------------------------------------


class Variables:
    """Scenario variables plus read-only sources (config values, environment, generators).

    One instance lives for one scenario.  :meth:`child` layers per-client values on
    top without copying; values set through a child stay in the child.
    """

    __slots__ = ("_layers", "_environ", "_config")

    def __init__(
        self,
        values: Mapping[str, Any] | None = None,
        *,
        environ: Mapping[str, str] | None = None,
        config: Mapping[str, Any] | None = None,
    ) -> None:
        own: dict[str, Any] = {}
        for name, value in (values or {}).items():
            own[_check_settable(name)] = value
        self._layers: tuple[dict[str, Any], ...] = (own,)
        self._environ: Mapping[str, str] = os.environ if environ is None else environ
        self._config: Mapping[str, Any] = {} if config is None else config

    # -- scenario values

    def set(self, name: str, value: Any) -> None:
        """Set a scenario variable (on this view's top layer)."""
        self._layers[0][_check_settable(name)] = value

    def child(self, **extra: Any) -> Variables:
        """A view with *extra* layered on top; the parent's values stay visible and live."""
        layer = {_check_settable(name): value for name, value in extra.items()}
        view = Variables.__new__(Variables)
        view._layers = (layer, *self._layers)
        view._environ = self._environ
        view._config = self._config
        return view

    def names(self) -> list[str]:
        """Names of the scenario values (not generators, environment or config), oldest first."""
        seen: dict[str, None] = {}
        for layer in reversed(self._layers):
            for name in layer:
                seen.setdefault(name, None)
        return list(seen)

    # -- lookup

    def get(self, name: str) -> Any:
        """The value of ``${name}``; an unknown name is a :class:`FeatureMistake`.

        Inner placeholders are filled in first (``tokens.${client}`` → ``tokens.Alice``);
        ``a.b`` is the variable ``a.b`` if set, else the entry ``b`` of the table ``a``.
        """
        if "${" in name:
            name = self.render_text(name)
        for layer in self._layers:
            if name in layer:
                return layer[name]
        found, value = self._entry(name)
        if found:
            return value
        generator = GENERATORS.get(name)
        if generator is not None:
            return generator()
        if name.startswith("env."):
            key = name[4:]
            if key in self._environ:
                return self._environ[key]
            raise FeatureMistake(
                f'The environment variable "{key}" (used as "${{{name}}}") is not set; set it '
                "in the environment that runs the tests, e.g. in the CI job."
            )
        if name.startswith("config."):
            found, value = _lookup_config(self._config, name[7:])
            if found:
                return value
            keys = ", ".join(sorted(self._config)) or "none"
            raise FeatureMistake(
                f'"${{{name}}}" is not a wsbdd setting; settings you can use: {keys}.'
            )
        raise self._unknown(name)

    def __contains__(self, name: object) -> bool:
        if not isinstance(name, str):
            return False
        if "${" in name:
            try:
                name = self.render_text(name)
            except FeatureMistake:
                return False
        if any(name in layer for layer in self._layers) or name in GENERATORS:
            return True
        if self._entry(name)[0]:
            return True
        if name.startswith("env."):
            return name[4:] in self._environ
        if name.startswith("config."):
            return _lookup_config(self._config, name[7:])[0]
        return False

    def _table_of(self, name: str) -> tuple[str, Any] | None:
        """The longest dotted start of *name* that is a scenario value holding a table."""
        cut = name.rfind(".")
        while cut > 0:
            head = name[:cut]
            for layer in self._layers:
                if head in layer:
                    if isinstance(layer[head], Mapping):
                        return head, layer[head]
                    break
            cut = name.rfind(".", 0, cut)
        return None

    def _entry(self, name: str) -> tuple[bool, Any]:
        """``tokens.player1`` → (True, the entry ``player1`` of the table ``tokens``)."""
        if "." not in name or name.startswith(RESERVED_PREFIXES):
            return False, None
        table = self._table_of(name)
        if table is None:
            return False, None
        head, mapping = table
        return _lookup_config(mapping, name[len(head) + 1 :])

    def _unknown(self, name: str) -> FeatureMistake:
        table = self._table_of(name)
        if table is not None:
            head, mapping = table
            key = name[len(head) + 1 :]
            keys = [str(k) for k in mapping]
            shown = ", ".join(keys[:8]) + (f" and {len(keys) - 8} more" if len(keys) > 8 else "")
            return FeatureMistake(
                f'"${{{name}}}" is not set: the table "{head}" has no entry "{key}" '
                f"(its entries: {shown or 'none'})."
            )
        known = self.names()
        listed = ", ".join(known) if known else "none"
        text = (
            f'The variable "${{{name}}}" is not set. Set it earlier in the scenario, '
            f"{_REMEMBER_HINT.format(name=name)}; variables set so far: {listed}."
        )
        close = difflib.get_close_matches(name, [*known, *GENERATORS], n=1, cutoff=0.75)
        if close:
            text += f' Did you mean "${{{close[0]}}}"?'
        return FeatureMistake(text)

    # -- rendering

    def render_text(self, text: str) -> str:
        """Replace each ``${x}`` with the value as text (JSON for objects, lists, bools, null)."""
        if "$" not in text:
            return text
        return "".join(
            _as_text(self.get(piece)) if is_name else piece for is_name, piece in _tokens(text)
        )

    def render_json_text(self, text: str) -> str:
        """Replace each ``${x}`` so that JSON text stays valid JSON.

        Inside a string literal the value's text is inserted JSON-escaped; outside
        one the value's JSON encoding is inserted (``"abc"``, ``5``, ``true``, ``{…}``).
        """
        if "$" not in text:
            return text
        out: list[str] = []
        in_string = escaped = False
        for is_name, piece in _tokens(text):
            if is_name:
                value = self.get(piece)
                out.append(_as_json_string_content(value) if in_string else _as_json_value(value))
                escaped = False
                continue
            out.append(piece)
            for char in piece:
                if escaped:
                    escaped = False
                elif char == '"':
                    in_string = not in_string
                elif char == "\\" and in_string:
                    escaped = True
        return "".join(out)

    def render_json(self, text: str) -> Any:
        """Render with :meth:`render_json_text` and parse; broken JSON is a FeatureMistake."""
        rendered = self.render_json_text(text)
        try:
            return json.loads(rendered)
        except json.JSONDecodeError as error:
            raise _json_error(error, rendered != text) from None

    def __repr__(self) -> str:
        return f"Variables({', '.join(self.names())})"


def _lookup_config(config: Mapping[str, Any], key: str) -> tuple[bool, Any]:
    """Find ``key`` in *config*: as a flat key first, then dotted through nested mappings."""
    if key in config:
        return True, config[key]
    node: Any = config
    for part in key.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return False, None
        node = node[part]
    return True, node
