"""Turning step words into values: durations, client lists, conditions, tables, payloads.

Pure functions used by the step modules, so the steps themselves stay a few
lines each.  Every mistake a feature writer can make here becomes a
:class:`~wsbdd.errors.FeatureMistake` that names the fix.
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, TypeVar

from wsbdd.errors import FeatureMistake
from wsbdd.match import (
    MATCHER_WORDS,
    Condition,
    JsonPath,
    Like,
    Where,
    compile_path,
    parse_value,
    quoted_text,
    unescape,
    value_matcher,
)
from wsbdd.variables import GENERATORS, Variables, find_placeholders

__all__ = [
    "NAME",
    "WITHIN",
    "QUOTED",
    "quoted",
    "seconds",
    "split_names",
    "count_word",
    "condition",
    "conditions",
    "body_condition",
    "table_matcher",
    "row_matchers",
    "template_matcher",
    "payload_text",
    "decode_binary",
    "expand_cycles",
    "per_member",
    "differs_per_member",
    "format_seconds",
    "entries_from_table",
    "per_client_words",
]

# A client name, with an optional leading "client" ("client Alice" or "Alice").
NAME = r"(?:client )?(?P<name>[A-Za-z_][\w.\-]*)"
# An optional deadline at the end of a step: "within 5 seconds", "within 300 ms".
WITHIN = (
    r"(?: within (?P<amount>\d+(?:\.\d+)?) ?"
    r"(?P<unit>ms|milliseconds?|s|secs?|seconds?|minutes?))?"
)

T = TypeVar("T")
_UNITS = {"ms": 0.001, "millisecond": 0.001, "milliseconds": 0.001, "minute": 60.0, "minutes": 60.0}
_NAME_RE = re.compile(r"[A-Za-z_][\w.\-]*")
_VARIABLE_ONLY = re.compile(r"\$\{([^}]+)\}")
_NO_VARIABLES = Variables()


def seconds(amount: str | None, unit: str | None) -> float | None:
    """``("300", "ms")`` → 0.3; ``(None, None)`` → None (use the configured default)."""
    if amount is None:
        return None
    return float(amount) * _UNITS.get(unit or "s", 1.0)


def split_names(text: str) -> list[str]:
    """``"Alice, Bob and Carol"`` → ``["Alice", "Bob", "Carol"]``."""
    parts = [p.strip() for p in re.split(r",|\band\b", text) if p.strip()]
    for part in parts:
        if not _NAME_RE.fullmatch(part):
            raise FeatureMistake(
                f'"{part}" is not a client name; list clients like "Alice, Bob and Carol" '
                "(letters, digits, _ . - and no spaces)."
            )
    duplicates = sorted({p for p in parts if parts.count(p) > 1})
    if duplicates:
        raise FeatureMistake(f"{', '.join(duplicates)} is listed twice; name each client once.")
    return parts


def count_word(text: str) -> int:
    """``"3"`` → 3, ``"no"`` → 0, ``"one"`` → 1."""
    words = {"no": 0, "one": 1, "a": 1, "two": 2, "three": 3}
    return words[text] if text in words else int(text)


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


def _render_value(text: str, variables: Variables) -> Any:
    text = text.strip()
    whole = _VARIABLE_ONLY.fullmatch(text)
    if whole:
        return variables.get(whole.group(1))
    if len(text) >= 2 and text[0] == text[-1] == '"':
        # Unescape first, then fill in variables: a value's own backslashes and quotes
        # are kept as they are (see quoted below).
        return variables.render_text(quoted_text(text))
    if text.startswith('"'):
        return parse_value(variables.render_json_text(text))
    return parse_value(variables.render_text(text))


QUOTED = r'(?:[^"\\]|\\.)*'
"""The inside of a double-quoted text on a step line: a quote inside is written \\"."""


def quoted(text: str, variables: Variables) -> str:
    """A double-quoted text from a step line (its inside), escapes read, variables filled in.

    The one rule for every quoted text on a step line and in a condition (see
    :func:`wsbdd.match.unescape`): ``\\n``, ``\\t``, ``\\"``, ``\\\\``; other
    backslashes stay.  Escapes are read before ``${variables}`` are filled in, so a
    variable's value is inserted exactly as it is.
    """
    return variables.render_text(unescape(text))


_MATCHER_WORD = re.compile(
    "(?:" + "|".join(re.escape(words) for words in MATCHER_WORDS) + ")(?= |\\Z)"
)
"""The matcher words at the start of a text, tried longest first (as MATCHER_WORDS is)."""


def _split_words(rest: str) -> tuple[str, str]:
    found = _MATCHER_WORD.match(rest.lower())
    if found is not None:
        return found.group(), rest[found.end() :].strip()
    # Let the matching layer explain the unknown word (with "did you mean").
    value_matcher(rest.split(" ")[0] if rest else "")
    raise FeatureMistake(f'"{rest}" does not start with a known matcher word.')


def body_condition(text: str, variables: Variables) -> Condition:
    """``contains "Invalid token"`` (after "the body") → a condition on a body's whole text."""
    return condition(f"$ {text}", variables)


def _condition_parts(text: str) -> tuple[str, str, str]:
    """``$.content starts with "hi"`` → ``("$.content", "starts with", '"hi"')``."""
    text = text.strip()
    if not text.startswith("$"):
        raise FeatureMistake(
            f'"{text}" is not a condition; conditions look like: $.type is "chat" '
            "(a JSONPath starting with $, a matcher word, and a value)."
        )
    end = _path_end(text)
    words, value_text = _split_words(text[end:].strip())
    return text[:end], words, value_text


def _built(path: JsonPath, words: str, value_text: str, variables: Variables) -> Condition:
    if words == "is one of" and value_text and not value_text.startswith("["):
        value_text = f"[{value_text}]"  # a bare list, as wsbdd.match.parse_condition reads it
    if value_text:
        return Condition(path, value_matcher(words, _render_value(value_text, variables)))
    return Condition(path, value_matcher(words))


def condition(text: str, variables: Variables) -> Condition:
    """``$.content starts with "hello ${name}"`` → a Condition with variables filled in."""
    path_text, words, value_text = _condition_parts(text)
    path = compile_path(variables.render_text(path_text) if "${" in path_text else path_text)
    return _built(path, words, value_text, variables)


_CONDITION_MARKS = re.compile(r"""["'()\[\]]| and \$""")
_QUOTED_REST = {quote: re.compile(rf"(?:[^{quote}\\]|\\.)*{quote}", re.DOTALL) for quote in "\"'"}
"""From just after an opening quote to its closing quote (a backslash escapes a character)."""


def _split_conditions(text: str) -> list[str]:
    """Split on `` and `` followed by another ``$`` path, outside quotes and brackets."""
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


def conditions(text: str, variables: Variables) -> Where:
    """``$.type is "chat" and $.room is "lobby"`` → one matcher requiring both."""
    if "${" not in text:
        return _fixed_conditions(text)
    return Where([condition(part, variables) for part in _split_conditions(text)])


def _fixed_conditions(text: str) -> Where:
    # Without variables a condition depends on its text alone.  Texts of one shape
    # (other strings in the same places, as in "$.content is "hello 17"") share the
    # reading of that shape; only their strings are parsed.  (A cache of whole texts
    # cost more than it saved: most step texts are new, and the objects it kept
    # made the garbage collector's rounds longer.)
    if "'" not in text and _HOLE not in text:
        template = _template(_STRING_LITERAL.sub(_HOLE_LITERAL, text))
        if template is not None:
            return _filled(template, iter(_STRING_LITERAL.findall(text)))
    return Where([condition(part, _NO_VARIABLES) for part in _split_conditions(text)])


_STRING_LITERAL = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_HOLE = "\ue000"  # a private-use character: no feature writes it
_HOLE_LITERAL = f'"{_HOLE}"'
_Template = tuple[tuple[JsonPath, str, str], ...]


@functools.lru_cache(maxsize=256)
def _template(shape: str) -> _Template | None:
    """The reading of a condition text whose strings are holes; None when a hole is not
    a whole value (inside a path or a filter), or the shape reads wrong (the full text
    then says why)."""
    try:
        parts = [_condition_parts(part) for part in _split_conditions(shape)]
    except FeatureMistake:
        return None
    if any(_HOLE in path_text for path_text, _, _ in parts):
        return None
    return tuple((compile_path(path_text), words, value) for path_text, words, value in parts)


def _filled(template: _Template, literals: Iterator[str]) -> Where:
    built = []
    for path, words, value_text in template:
        while _HOLE_LITERAL in value_text:
            value_text = value_text.replace(_HOLE_LITERAL, next(literals), 1)
        built.append(_built(path, words, value_text, _NO_VARIABLES))
    return Where(built)


def _cells(row: Any) -> list[str]:
    return [str(cell).strip() for cell in row.cells]


def table_matcher(table: Any, variables: Variables) -> Where:
    """A ``| path | matcher | value |`` table (or ``| path | value |``): all rows, one message."""
    if table is None:
        raise FeatureMistake(
            "This step needs a table under it, e.g.\n"
            "  | path      | matcher     | value |\n"
            "  | $.type    | is          | chat  |"
        )
    headings = [h.strip().lower() for h in table.headings]
    found = []
    if headings[:3] == ["path", "matcher", "value"] or headings[:2] == ["path", "matcher"]:
        for row in table.rows:
            cells = _cells(row) + [""]
            path, words, value = cells[0], cells[1], cells[2]
            found.append(condition(f"{path} {words} {value}".strip(), variables))
    elif headings[:2] == ["path", "value"]:
        for row in table.rows:
            path, value = _cells(row)[:2]
            found.append(
                Condition(compile_path(path), value_matcher("is", _render_value(value, variables)))
            )
    else:
        raise FeatureMistake(
            f"The table's columns are {' | '.join(table.headings)}; use "
            "| path | matcher | value | (or | path | value | for equality)."
        )
    return Where(found)


def _cell_condition(path: str, cell: str, variables: Variables) -> Condition:
    lowered = cell.lower()
    for words in MATCHER_WORDS:
        if lowered == words or lowered.startswith(words + " "):
            return condition(f"{path} {cell}", variables)
    return Condition(compile_path(path), value_matcher("is", _render_value(cell, variables)))


def row_matchers(table: Any, variables: Variables) -> list[Where]:
    """A table whose headings are JSONPaths: one matcher per row (cells: value or matcher words)."""
    if table is None:
        raise FeatureMistake(
            "This step needs a table whose headings are JSONPaths, e.g.\n"
            "  | $.type | $.content |\n  | chat   | one       |"
        )
    paths = [h.strip() for h in table.headings]
    for path in paths:
        if not path.startswith("$"):
            raise FeatureMistake(
                f'The column "{path}" is not a JSONPath; head each column with a path like $.type.'
            )
    result = []
    for row in table.rows:
        conds = [
            _cell_condition(path, cell, variables)
            for path, cell in zip(paths, _cells(row), strict=True)
            if cell != ""
        ]
        result.append(Where(conds))
    return result


def template_matcher(text: str | None, variables: Variables) -> Like:
    """A docstring JSON template (Karate-style markers allowed) → a partial matcher."""
    if not text:
        raise FeatureMistake('This step needs a JSON docstring under it (between """ lines).')
    return Like(variables.render_json(text))


def templates(text: str | None, variables: Variables) -> list[Like]:
    """A docstring holding a JSON array of templates, one per expected message."""
    value = variables.render_json(text or "")
    if not isinstance(value, list):
        raise FeatureMistake(
            "The docstring must be a JSON array with one template per expected message, "
            'e.g. [{"type": "chat"}, {"type": "chat"}].'
        )
    return [Like(item) for item in value]


def payload_text(text: str, variables: Variables) -> str:
    """The text a client sends: JSON is validated (after variables); anything else is sent as is."""
    stripped = text.strip()
    if stripped.startswith(("{", "[")):
        rendered = variables.render_json_text(stripped)
        try:
            json.loads(rendered)
        except ValueError:
            variables.render_json(stripped)  # raises the explanatory FeatureMistake
        return rendered
    return variables.render_text(text)


_CYCLE = re.compile(r"\$\{cycle:([^}]*)\}")


def expand_cycles(text: str, index: int) -> str:
    """``${cycle:a,b,c}`` → a for member 1, b for 2, c for 3, a for 4, …"""

    def pick(match: re.Match[str]) -> str:
        items = [item.strip() for item in match.group(1).split(",")]
        return items[(index - 1) % len(items)]

    return _CYCLE.sub(pick, text)


_PER_MEMBER = frozenset({"client", "index", *GENERATORS})
"""Placeholders whose value may differ from one member to the next (generators are made
fresh on every use)."""


def differs_per_member(texts: Iterable[str | None]) -> bool:
    """True if any of ``texts`` uses ``${client}``, ``${index}``, ``${cycle:…}`` or a
    generator (``${uuid}``…): then each group member needs a value of its own."""
    for text in texts:
        if not text or "${" not in text:
            continue
        if _CYCLE.search(text):
            return True
        try:
            used = find_placeholders(text)
        except FeatureMistake:
            return True  # building the values says what is wrong, as it always has
        if any(name in _PER_MEMBER for name in used):
            return True
    return False


def per_member(
    names: Sequence[str],
    text: str | None,
    variables: Variables,
    build: Callable[[Any, Variables], T],
    *,
    also: Iterable[str | None] = (),
) -> list[T]:
    """Build one value per group member, with ${client}, ${index} and ${cycle:…} filled in.

    ``also``: other texts ``build`` reads (a table's cells).  When neither ``text`` nor
    those use a member's own placeholder, every member gets the same value, built once:
    a crowd of 5,000 otherwise built 5,000 identical matchers while its broadcast waited.
    """
    if names and not differs_per_member((text, *also)):
        shared = build(text, variables.child(client=names[0], index=1))
        return [shared] * len(names)
    values = []
    for index, name in enumerate(names, 1):
        member = variables.child(client=name, index=index)
        values.append(build(expand_cycles(text, index) if text is not None else None, member))
    return values


def entries_from_table(table: Any, variable: str, variables: Variables) -> dict[str, Any]:
    """A two-column table (``| client | token |``) → ``{"player1": "abc", …}``.

    A cell is text as written (a token ``007`` stays ``007``); ``"quoted"`` text,
    ``{…}`` and ``[…]`` are read as JSON.  ``${…}`` in a cell is filled in first.
    """
    if table is None or len(table.headings) != 2:
        raise FeatureMistake(
            f'Put the entries of "{variable}" in a table of two columns under the step, e.g.\n'
            "  | client  | token |\n  | player1 | abc   |\n  | player2 | def   |"
        )
    entries: dict[str, Any] = {}
    for row in table.rows:
        key, value = (str(cell).strip() for cell in row.cells)
        key = variables.render_text(key)
        if not key:
            raise FeatureMistake(
                f'A row of the table for "{variable}" has no name in its first column.'
            )
        if key in entries:
            raise FeatureMistake(
                f'The table for "{variable}" names "{key}" twice; name each entry once.'
            )
        if value.startswith(('"', "{", "[")):
            entries[key] = parse_value(variables.render_json_text(value))
        else:  # as written: a token "007" or "1e5" must not turn into a number
            entries[key] = variables.render_text(value)
    return entries


_PER_CLIENT = ("client", "index")


def per_client_words(texts: Sequence[str | None], name: str) -> None:
    """Refuse ``${client}``/``${index}`` in a step about one client, with the fix."""
    for text in texts:
        if text and "${" in text:
            for used in find_placeholders(text):
                if used in _PER_CLIENT:
                    raise FeatureMistake(
                        f'"${{{used}}}" stands for each client of a step that connects several '
                        f'(e.g. clients {name}, Bob are connected to "/ws?user=${{client}}"); '
                        f"in a step about {name} alone, write "
                        + (f'"{name}" instead.' if used == "client" else "the number itself.")
                    )


def format_seconds(value: float) -> str:
    return f"{value:.1f} s"


def decode_binary(encoding: str, data: str) -> bytes:
    """``hex "01ff"`` or ``base64 "Af8="`` → bytes."""
    try:
        if encoding == "hex":
            return bytes.fromhex(data.replace(" ", ""))
        return base64.b64decode(data, validate=True)
    except (ValueError, binascii.Error):
        example = '"01 ff 7a"' if encoding == "hex" else '"Af96"'
        raise FeatureMistake(
            f'"{data}" is not valid {encoding}; write it like {example}.'
        ) from None
